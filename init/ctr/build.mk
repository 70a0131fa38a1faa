# init/ctr/: berth-ctr, the container runner PID 1 supervises (one per
# container of the host state). A program of its own: the containerd
# client blocks, and PID 1 keeps to its memory budget. It links the client
# (libctrd.a) with its archive import, which reads tar with zlib and hashes
# with nettle (both in the image through libcurl), never libarchive or glib:
# -Wl,--as-needed keeps what it calls.
CTR_SRCS := $(wildcard init/ctr/*.c)
CTR_OBJS := $(CTR_SRCS:%.c=$(BUILD)/obj/%.o)
CTR_LIBS := libnghttp2 libprotobuf-c json-c zlib nettle
EXTRA_CFLAGS_init_ctr_ := $(CTRD_CFLAGS) -Iinit/ctr
$(CTR_OBJS): | $(CTRD_GEN)/.stamp
PROGRAMS += $(BUILD)/berth-ctr

$(BUILD)/libctr.a: $(filter-out $(BUILD)/obj/init/ctr/berth-ctr.o,$(CTR_OBJS))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/berth-ctr: $(BUILD)/obj/init/ctr/berth-ctr.o $(BUILD)/libctr.a $(BUILD)/libctrd.a $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) -Wl,--as-needed $^ $(call pc_libs,$(CTR_LIBS)) -o $@

CTR_TESTS := $(patsubst init/ctr/tests/%.c,$(BUILD)/tests/%,$(wildcard init/ctr/tests/test-*.c))
TEST_PROGRAMS += $(CTR_TESTS)
EXTRA_CFLAGS_init_ctr_tests_ := $(CTRD_CFLAGS) -Iinit/ctr
$(CTR_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/init/ctr/tests/%.o $(BUILD)/libctr.a $(BUILD)/libberth.a
	@mkdir -p $(@D)
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ -o $@
