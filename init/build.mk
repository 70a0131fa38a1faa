# init/: berth-init (PID 1 of the initramfs and of the real root)
INIT_SRCS := $(wildcard init/stage1/*.c)
INIT_OBJS := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
PROGRAMS += $(BUILD)/berth-init

$(BUILD)/berth-init: $(INIT_OBJS) $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ -o $@
