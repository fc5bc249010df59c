// SPDX-License-Identifier: GPL-2.0
/*
 * uvctl: the argument of --disk, PATH[,ro][,vdev=xvdX], as the first part
 * of xl's disk syntax (docs/man/xl-disk-configuration.5 in Xen).
 */
#include <string.h>

#include "uvctl.h"

/* Xen's major for xvd* disks; each takes 16 minors (partitions). */
#define XVD_MAJOR	202

/*
 * xvda..xvdp: Xen's virtual-device number, or -1.  (Xen numbers the
 * 17th disk on in another form, which uvctl's 16 never need.)
 */
static int xvd_devid(const char *name)
{
	if (strncmp(name, "xvd", 3) || name[3] < 'a' || name[3] > 'p' ||
	    name[4])
		return -1;
	return XVD_MAJOR << 8 | (name[3] - 'a') << 4;
}

/**
 * uv_disk_parse() - one --disk
 * @arg:   PATH[,ro|,rw][,vdev=xvdX]
 * @index: how many --disk came before: the default vdev is xvda, xvdb...
 * @d:     filled in; @d->path points into @arg, which is cut at the commas
 *
 * Return: 0, or -1 after a message.
 */
int uv_disk_parse(char *arg, unsigned int index, struct uv_disk *d)
{
	char *opt, *rest = strchr(arg, ',');

	memset(d, 0, sizeof(*d));
	d->path = arg;
	if (rest)
		*rest++ = '\0';
	if (!*arg) {
		uv_err("--disk: which file or block device? (PATH[,ro][,vdev=xvdX])");
		return -1;
	}
	if (index >= UV_MAX_DISKS) {
		uv_err("--disk %s: at most %d disks", arg, UV_MAX_DISKS);
		return -1;
	}
	snprintf(d->vdev, sizeof(d->vdev), "xvd%c", 'a' + index);
	while ((opt = rest)) {
		rest = strchr(opt, ',');
		if (rest)
			*rest++ = '\0';
		if (!strcmp(opt, "ro") || !strcmp(opt, "r")) {
			d->ro = true;
		} else if (!strcmp(opt, "rw") || !strcmp(opt, "w")) {
			d->ro = false;
		} else if (!strncmp(opt, "vdev=", 5) &&
			   xvd_devid(opt + 5) >= 0) {
			snprintf(d->vdev, sizeof(d->vdev), "%s", opt + 5);
		} else {
			uv_err("--disk %s: unknown option '%s' (ro, rw, vdev=xvda..xvdp)",
			       arg, opt);
			return -1;
		}
	}
	d->devid = xvd_devid(d->vdev);	/* UV_MAX_DISKS is 16: one of them */
	return 0;
}
