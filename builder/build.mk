# builder/: build-image
BUILDER_SRCS := $(wildcard builder/*.c)
BUILDER_OBJS := $(BUILDER_SRCS:%.c=$(BUILD)/obj/%.o)
BUILDER_LIBS := json-c libarchive ostree-1 glib-2.0 gio-2.0 libkmod
EXTRA_CFLAGS_builder_ := -Ibuilder $(call pc_cflags,$(BUILDER_LIBS))
PROGRAMS += $(BUILD)/build-image

$(BUILD)/build-image: $(BUILDER_OBJS) $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(BUILDER_LIBS)) -o $@
