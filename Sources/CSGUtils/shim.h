#ifndef CSGUTILS_SHIM_H
#define CSGUTILS_SHIM_H
#include <stdint.h>
#include <stdbool.h>
#include <scsi/sg_pt.h>
#include <scsi/sg_lib.h>
#endif
