# builder/: build-image
BUILDER_SRCS := $(wildcard builder/*.c)
BUILDER_OBJS := $(BUILDER_SRCS:%.c=$(BUILD)/obj/%.o)
BUILDER_LIBS := json-c libarchive ostree-1 glib-2.0 gio-2.0 libkmod
EXTRA_CFLAGS_builder_ := -Ibuilder $(call pc_cflags,$(BUILDER_LIBS))
PROGRAMS += $(BUILD)/build-image

$(BUILD)/build-image: $(BUILDER_OBJS) $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(BUILDER_LIBS)) -o $@

# Unit tests: each builder/tests/test-*.c links the builder's objects but main.
BUILDER_TESTS := $(patsubst builder/tests/%.c,$(BUILD)/tests/%,$(wildcard builder/tests/test-*.c))
TEST_PROGRAMS += $(BUILDER_TESTS)
EXTRA_CFLAGS_builder_tests_ := -Ibuilder $(call pc_cflags,$(BUILDER_LIBS))

# An archive, so a test links only the objects it uses.
$(BUILD)/libbuilder.a: $(filter-out %/main.o,$(BUILDER_OBJS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILDER_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/builder/tests/%.o $(BUILD)/libbuilder.a $(BUILD)/libberth.a
	@mkdir -p $(@D)
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(BUILDER_LIBS)) -o $@
