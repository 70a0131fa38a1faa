# init/containerd/: a client of containerd's gRPC API (libnghttp2 for HTTP/2
# over the unix socket, protobuf-c for the messages), and ctrd-test, a debug
# CLI that drives it. The C of the messages is generated at build time from
# the .proto files Debian installs (golang-github-containerd-containerd-dev,
# gogo's options from golang-github-gogo-protobuf-dev, Google's well-known
# types from libprotobuf-dev); only init/containerd/cri-image.proto is ours
# (docs/architecture.md says why).
GOCODE ?= /usr/share/gocode/src
CTRD_API := github.com/containerd/containerd/api
CTRD_PROTOS := \
	$(CTRD_API)/services/version/v1/version.proto \
	$(CTRD_API)/services/containers/v1/containers.proto \
	$(CTRD_API)/services/tasks/v1/tasks.proto \
	$(CTRD_API)/services/snapshots/v1/snapshots.proto \
	$(CTRD_API)/services/content/v1/content.proto \
	$(CTRD_API)/services/diff/v1/diff.proto \
	$(CTRD_API)/services/images/v1/images.proto \
	$(CTRD_API)/services/leases/v1/leases.proto \
	$(CTRD_API)/types/mount.proto \
	$(CTRD_API)/types/metrics.proto \
	$(CTRD_API)/types/descriptor.proto \
	$(CTRD_API)/types/task/task.proto \
	gogoproto/gogo.proto \
	google/protobuf/empty.proto \
	google/protobuf/any.proto \
	google/protobuf/timestamp.proto \
	google/protobuf/field_mask.proto \
	google/protobuf/descriptor.proto \
	cri-image.proto
# Where protoc-c finds each: Google's types first (libprotobuf-dev), so
# gogo's copies of them are never taken.
CTRD_PROTO_PATH := -I/usr/include -I$(GOCODE) -I$(GOCODE)/github.com/gogo/protobuf -Iinit/containerd
CTRD_GEN := $(BUILD)/gen/proto
CTRD_GEN_SRCS := $(CTRD_PROTOS:%.proto=$(CTRD_GEN)/%.pb-c.c)
CTRD_GEN_OBJS := $(CTRD_PROTOS:%.proto=$(BUILD)/obj/proto/%.pb-c.o)

CTRD_LIBS := libnghttp2 libprotobuf-c json-c zlib nettle
CTRD_CFLAGS := -Iinit/containerd -I$(CTRD_GEN) $(call pc_cflags,$(CTRD_LIBS))
EXTRA_CFLAGS_init_containerd_ := $(CTRD_CFLAGS)

# One protoc-c run writes every file; the stamp stands for all of them.
$(CTRD_GEN)/.stamp: init/containerd/cri-image.proto init/containerd/build.mk
	@mkdir -p $(@D)
	@echo "  PROTOC  $(words $(CTRD_PROTOS)) files -> $(CTRD_GEN)"
	@for p in $(filter-out cri-image.proto,$(CTRD_PROTOS)); do \
		f=/usr/include/$$p; [ -f $$f ] || f=$(GOCODE)/$$p; \
		[ -f $$f ] || f=$(GOCODE)/github.com/gogo/protobuf/$$p; \
		[ -f $$f ] || { echo "missing $$p: make deps installs it" >&2; exit 1; }; done
	@protoc-c $(CTRD_PROTO_PATH) --c_out=$(CTRD_GEN) $(CTRD_PROTOS) 2>&1 | \
		grep -v 'warning: Import gogoproto/gogo.proto is unused' >&2 || true
	@test -f $(CTRD_GEN)/cri-image.pb-c.c
	@touch $@
$(CTRD_GEN_SRCS): $(CTRD_GEN)/.stamp

# Generated code: compiled without the project's warning flags (its style is
# protoc-c's, not ours), but with the prefix map: berth-ctr goes into the
# image, and a checkout's folder in its debug information changed the commit.
$(BUILD)/obj/proto/%.o: $(CTRD_GEN)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) -std=gnu11 $(CFLAGS) $(filter -fsanitize% -fno-% -ffile-prefix-map%,$(BERTH_CFLAGS)) -I$(CTRD_GEN) \
		$(call pc_cflags,libprotobuf-c) -c $< -o $@

CTRD_SRCS := $(filter-out init/containerd/ctrd-test.c,$(wildcard init/containerd/*.c))
CTRD_OBJS := $(CTRD_SRCS:%.c=$(BUILD)/obj/%.o)
$(CTRD_OBJS) $(BUILD)/obj/init/containerd/ctrd-test.o: | $(CTRD_GEN)/.stamp

$(BUILD)/libctrd.a: $(CTRD_OBJS) $(CTRD_GEN_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

PROGRAMS += $(BUILD)/ctrd-test
$(BUILD)/ctrd-test: $(BUILD)/obj/init/containerd/ctrd-test.o $(BUILD)/libctrd.a $(BUILD)/libberth.a
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(CTRD_LIBS)) -o $@

# Unit tests: init/containerd/tests/test-*.c, TAP programs (make check runs
# every build/tests/test-*, under valgrind too).
CTRD_TESTS := $(patsubst init/containerd/tests/%.c,$(BUILD)/tests/%,$(wildcard init/containerd/tests/test-*.c))
TEST_PROGRAMS += $(CTRD_TESTS)
EXTRA_CFLAGS_init_containerd_tests_ := $(CTRD_CFLAGS)
$(CTRD_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/init/containerd/tests/%.o $(BUILD)/libctrd.a $(BUILD)/libberth.a
	@mkdir -p $(@D)
	$(CC) $(BERTH_LDFLAGS) $(LDFLAGS) $^ $(call pc_libs,$(CTRD_LIBS)) -o $@
$(CTRD_TESTS:$(BUILD)/tests/%=$(BUILD)/obj/init/containerd/tests/%.o): | $(CTRD_GEN)/.stamp
