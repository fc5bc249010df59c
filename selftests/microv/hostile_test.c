// SPDX-License-Identifier: GPL-2.0
/*
 * A local user turning the uapi against the module: an object still
 * being made is out of everyone else's reach (its creation may yet fail
 * and free it), and a creation that fails, at any step, leaves nothing
 * behind: no domain, no vCPU id taken, no name held.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "guest.h"

#define NAME	"half-made"

struct creator {
	int dev;
	struct microv_create_domain *req;
	int ret, err;
};

static void *create_domain(void *arg)
{
	struct creator *c = arg;

	c->ret = ioctl(c->dev, MICROV_CREATE_DOMAIN, c->req);
	c->err = errno;
	return NULL;
}

/* Domains 1..64 that MICROV_OPEN_CONSOLE finds now: the first, or 0. */
static int reachable_domain(int dev)
{
	struct microv_open_console oc = { 0 };
	int fd;

	for (oc.domid = 1; oc.domid <= 64; oc.domid++) {
		fd = ioctl(dev, MICROV_OPEN_CONSOLE, &oc);
		if (fd >= 0) {
			close(fd);
			return oc.domid;
		}
	}
	return 0;
}

/*
 * MICROV_CREATE_DOMAIN held at its last step, writing the domid back
 * (the argument's page write-protected by userfaultfd): the domain has
 * its domid and name, but MICROV_OPEN_CONSOLE cannot take it.  The write
 * then fails: EFAULT, and the domain is gone, its name free.
 */
TEST(half_made_domain_out_of_reach)
{
	struct uffdio_api api = { .api = UFFD_API,
				  .features = UFFD_FEATURE_PAGEFAULT_FLAG_WP };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };
	long page = sysconf(_SC_PAGESIZE);
	struct uffd_msg msg;
	struct pollfd pfd;
	struct creator c;
	pthread_t t;
	int uffd, fd;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	c.dev = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, c.dev);
	c.req = mmap(NULL, page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c.req);
	memset(c.req, 0, sizeof(*c.req));
	strcpy(c.req->name, NAME);

	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	reg.range.start = wp.range.start = (unsigned long)c.req;
	reg.range.len = wp.range.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_WRITEPROTECT, &wp));

	ASSERT_EQ(0, pthread_create(&t, NULL, create_domain, &c));
	pfd.fd = uffd;
	pfd.events = POLLIN;
	ASSERT_EQ(1, poll(&pfd, 1, 30000));
	ASSERT_EQ(sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	/* Made, named, not yet handed over. */
	EXPECT_EQ(1, microv_counter("domains"));
	EXPECT_EQ(0, reachable_domain(c.dev));
	EXPECT_EQ(-1, uv_create_domain(c.dev, NAME, NULL));
	EXPECT_EQ(EEXIST, errno);

	/* The write fails: the page is read-only once the fault is retried. */
	ASSERT_EQ(0, mprotect(c.req, page, PROT_READ));
	close(uffd);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, c.ret);
	EXPECT_EQ(EFAULT, c.err);
	EXPECT_EQ(0, microv_counter("domains"));
	fd = uv_create_domain(c.dev, NAME, NULL);
	EXPECT_LE(0, fd);
	close(fd);
	close(c.dev);
	munmap(c.req, page);
	EXPECT_EQ(0, microv_counter("domains"));
}

/* RLIMIT_NOFILE so that the next fd fails; the old limit back. */
static void no_more_fds(int probe, struct rlimit *old)
{
	struct rlimit rl;
	int next = dup(probe);

	close(next);
	getrlimit(RLIMIT_NOFILE, old);
	rl = *old;
	rl.rlim_cur = next;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * No fd left for the new domain or vCPU: EMFILE, and nothing of it
 * stays: not the domain, its name or the vCPU id.
 */
TEST(fd_limit_at_creation)
{
	struct microv_domain_info info = { 0 };
	struct rlimit old;
	int dev, dom, vcpu;

	if (!microv_loaded())
		ASSERT_EQ(0, microv_load()) TH_LOG("load: %s", strerror(errno));
	dev = open(MICROV_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);

	no_more_fds(dev, &old);
	EXPECT_EQ(-1, uv_create_domain(dev, NAME, NULL));
	EXPECT_EQ(EMFILE, errno);
	setrlimit(RLIMIT_NOFILE, &old);
	EXPECT_EQ(0, microv_counter("domains"));

	dom = uv_create_domain(dev, NAME, NULL);
	ASSERT_LE(0, dom);
	no_more_fds(dev, &old);
	EXPECT_EQ(-1, ioctl(dom, MICROV_CREATE_VCPU, 0));
	EXPECT_EQ(EMFILE, errno);
	setrlimit(RLIMIT_NOFILE, &old);
	ASSERT_EQ(0, ioctl(dom, MICROV_GET_DOMAIN_INFO, &info));
	EXPECT_EQ(0, info.nr_vcpus);
	vcpu = ioctl(dom, MICROV_CREATE_VCPU, 0);
	EXPECT_LE(0, vcpu);
	close(vcpu);
	close(dom);
	close(dev);
	EXPECT_EQ(0, microv_counter("domains"));
}

TEST_HARNESS_MAIN
