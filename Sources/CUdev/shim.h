#ifndef EC2NET_CUDEV_SHIM_H
#define EC2NET_CUDEV_SHIM_H
#include <libudev.h>
#endif
