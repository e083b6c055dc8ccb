// Only for the Embedded release build (make -f embedded.mk embedded-musl):
// swift_bridgeObjectRetain(_n) as the compiler declares them, returning
// their argument unchanged (issue 24).
//
// The compiler calls them as `ptr @swift_bridgeObjectRetain(ptr returned)`:
// it may use the result in place of the argument. The Embedded standard
// library of this toolchain (6.3.1) returns the object with its tag bits
// masked off instead (fixed upstream in swiftlang/swift#91151). For a small
// String that clears the discriminator (0xE4... "eth1" became 0x84..., an
// immortal large string with a null address): the next read of it faults at
// 0x18 (ec2-unplug) or takes a text-sized allocation. Which call sites use
// the result is a register allocator's choice: on AArch64 the argument and
// result share x0, so the returned value is kept; on x86_64 (%rdi in, %rax
// out) the argument happened to be; the bug is the same on both. The
// library's definitions are weak, so these strong ones replace them.
#include <stdint.h>

void *swift_retain_n(void *object, uint32_t n);

// The 64-bit BridgeObject layout of the Embedded runtime: bit 63 marks an
// immortal value (a small string, a tagged value), never retained; the tag
// bits 60-62 and the low three are not part of a native object's address.
#define EC2NET_BRIDGE_IMMORTAL_BIT ((uintptr_t)1 << 63)
#define EC2NET_BRIDGE_OBJECT_MASK ((uintptr_t)0x0FFFFFFFFFFFFFF8)

void *swift_bridgeObjectRetain_n(void *object, uint32_t n) {
    uintptr_t bits = (uintptr_t)object;
    if ((bits & EC2NET_BRIDGE_IMMORTAL_BIT) == 0 && (bits & EC2NET_BRIDGE_OBJECT_MASK) != 0)
        swift_retain_n((void *)(bits & EC2NET_BRIDGE_OBJECT_MASK), n);
    return object;
}

void *swift_bridgeObjectRetain(void *object) {
    return swift_bridgeObjectRetain_n(object, 1);
}
