# init/: berth-init (PID 1 of the initramfs and of the real root)
INIT_SRCS := $(wildcard init/*.c init/common/*.c init/stage1/*.c init/stage2/*.c)
INIT_OBJS := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
# libkmod is dlopen()ed (init/common/kmod-util.c): only its headers are needed here.
INIT_LIBS := blkid libsystemd
INIT_CFLAGS := -Iinit -Iinit/common $(call pc_cflags,$(INIT_LIBS) libkmod)
EXTRA_CFLAGS_init_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_common_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_stage1_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_stage2_ := $(INIT_CFLAGS)
PROGRAMS += $(BUILD)/berth-init

$(BUILD)/berth-init: $(INIT_OBJS) $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(INIT_LIBS)) -o $@
