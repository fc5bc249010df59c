/* SPDX-License-Identifier: GPL-2.0 */
/* microv: state shared by the files of module/. */
#ifndef MICROV_MICROV_H
#define MICROV_MICROV_H

#include <linux/cpumask.h>
#include <linux/types.h>

#include "backend.h"

extern const struct microv_backend_ops *microv_backend;
extern struct microv_host_caps microv_caps;

int microv_hardware_enable_all(void);
void microv_hardware_disable_all(void);
void microv_hardware_cpus(struct cpumask *mask);

int microv_rival_block(void);
void microv_rival_unblock(void);

int microv_features_format(char *buf, size_t size, u64 features);

int microv_dev_register(void);
void microv_dev_unregister(void);

#endif /* MICROV_MICROV_H */
