#ifndef EC2NET_CUDEV_SHIM_H
#define EC2NET_CUDEV_SHIM_H
// The C library through CLinux first, so both modules share its types.
#include "../CLinux/shim.h"
#include <libudev.h>
#endif
