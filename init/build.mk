# init/: berth-init (PID 1 of the initramfs and of the real root; under the
# names dhcpcd-hook and berthctl, the control socket's clients)
INIT_SRCS := $(wildcard init/*.c init/common/*.c init/stage1/*.c init/stage2/*.c init/berthctl/*.c \
	init/state/*.c)
INIT_OBJS := $(INIT_SRCS:%.c=$(BUILD)/obj/%.o)
# libkmod and libblkid are dlopen()ed (init/common/kmod-util.c,
# init/stage1/root-find.c): only their headers are needed here.
INIT_LIBS := libsystemd json-c
INIT_CFLAGS := -Iinit -Iinit/common -Iinit/stage2 -Iinit/state $(call pc_cflags,$(INIT_LIBS) libkmod blkid)
EXTRA_CFLAGS_init_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_common_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_stage1_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_stage2_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_berthctl_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_state_ := $(INIT_CFLAGS)
EXTRA_CFLAGS_init_tests_ := $(INIT_CFLAGS)
PROGRAMS += $(BUILD)/berth-init

$(BUILD)/berth-init: $(INIT_OBJS) $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(INIT_LIBS)) -o $@

# berthctl is berth-init under another name; `build/berthctl check FILE`
# validates host state documents on a build host (docs/host-state.md).
PROGRAMS += $(BUILD)/berthctl
$(BUILD)/berthctl: $(BUILD)/berth-init
	ln -sfn berth-init $@

# Unit tests: each init/tests/test-*.c is a TAP program linking berth-init's
# objects but main (from an archive, so a test pulls in only what it uses).
INIT_TESTS := $(patsubst init/tests/%.c,$(BUILD)/tests/%,$(wildcard init/tests/test-*.c))
TEST_PROGRAMS += $(INIT_TESTS)

$(BUILD)/libinit.a: $(filter-out $(BUILD)/obj/init/main.o,$(INIT_OBJS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(INIT_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/init/tests/%.o $(BUILD)/libinit.a $(BUILD)/libberth.a
	@mkdir -p $(@D)
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(INIT_LIBS)) -o $@

# berth-fetch: the state fetcher, a program of its own so that PID 1 never
# maps libcurl (and libcrypto, its TLS): stage 2 runs it as a short-lived
# child. It takes what it shares with berth-init from libinit.a.
FETCH_SRCS := $(wildcard init/fetch/*.c)
FETCH_OBJS := $(FETCH_SRCS:%.c=$(BUILD)/obj/%.o)
FETCH_LIBS := libcurl libcrypto blkid $(INIT_LIBS)
EXTRA_CFLAGS_init_fetch_ := $(INIT_CFLAGS) -Iinit/fetch $(call pc_cflags,libcurl libcrypto)
PROGRAMS += $(BUILD)/berth-fetch

$(BUILD)/berth-fetch: $(FETCH_OBJS) $(BUILD)/libinit.a $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(call pc_libs,$(FETCH_LIBS)) -o $@
