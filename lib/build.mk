# lib/: C shared by the builder and berth-init.
LIB_TOML_SRCS := $(wildcard lib/toml/*.c)
LIB_SRCS := $(wildcard lib/*.c) $(LIB_TOML_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o)

EXTRA_CFLAGS_lib_ := $(call pc_cflags,glib-2.0)

$(BUILD)/libberth.a: $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# Unit tests: each lib/tests/test-*.c is a TAP program.
LIB_TESTS := $(patsubst lib/tests/%.c,$(BUILD)/tests/%,$(wildcard lib/tests/test-*.c))
TEST_PROGRAMS += $(LIB_TESTS) $(BUILD)/tests/toml-decode

$(BUILD)/tests/%: $(BUILD)/obj/lib/tests/%.o $(BUILD)/libberth.a
	@mkdir -p $(@D)
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ -lm -o $@
