/* cshm: shared memory between a parent and its child, compared with Linux.
 *
 * Two kinds: anonymous MAP_SHARED memory, which a fork shares (a private
 * mapping is copied on write instead), and a System V segment, reached
 * through i386's one ipc() system call. Both are shmem objects: the pages
 * belong to the object, every mapping of it sees them, and /proc/meminfo
 * counts them as Shmem until the object goes. The program prints values and
 * error numbers, never addresses, so that Linux and vmlab print the same
 * lines. With the argument `counts` it also prints how /proc/meminfo's
 * Shmem and /proc/self/status's RssShmem moved: vmlab counts every page at
 * once, while Linux keeps both counts per CPU and per task and folds them
 * in later, so the comparison with Linux runs without it. */

#define VMLAB_ARGV
#define VMLAB_PROC 8192
#include "sys.h"

#define NR_ipc 117
#define NR_mount 21
#define NR_mkdir 39
#define PAGE 4096
#define PROT_RW (PROT_READ | PROT_WRITE)
#define MAP_SHARED 0x01

/* ipc()'s calls and the flags of shmget, shmat and shmctl (linux/ipc.h,
 * linux/shm.h). */
#define SHMAT 21
#define SHMDT 22
#define SHMGET 23
#define SHMCTL 24
#define IPC_PRIVATE 0
#define IPC_CREAT 01000
#define IPC_EXCL 02000
#define IPC_RMID 0
#define IPC_STAT 2
#define IPC_64 0x100
#define SHM_RDONLY 010000
#define SHM_RND 020000
#define SHM_DEST 01000

/* struct shmid64_ds on i386, as far as this program reads it. */
struct shmid64_ds {
	int key;
	unsigned uid, gid, cuid, cgid;
	unsigned short mode, pad1, seq, pad2;
	unsigned long unused1, unused2;
	unsigned long segsz;
	unsigned long times[6];
	int cpid, lpid;
	unsigned long nattch, unused4, unused5;
};

/* Whether to print the Shmem and RssShmem counts (argument `counts`). */
static int counts;

static void report(const char *what, long value)
{
	print_str(what);
	print_str(" = ");
	print_dec(value);
	print_str("\n");
}

static long ipc(long call, long first, long second, long third, void *ptr)
{
	return syscall6(NR_ipc, call, first, second, third, (long)ptr, 0);
}

static long shmget(long key, unsigned long size, int flags)
{
	return ipc(SHMGET, key, (long)size, flags, 0);
}

/* shmat(): ipc() stores the address through its third argument. */
static long shmat(long id, void *addr, int flags, char **at)
{
	return ipc(SHMAT, id, flags, (long)at, addr);
}

static long shmdt(void *addr)
{
	return ipc(SHMDT, 0, 0, 0, addr);
}

static long shmctl(long id, int cmd, struct shmid64_ds *buf)
{
	return ipc(SHMCTL, id, cmd | IPC_64, 0, buf);
}

static long nattch(long id)
{
	struct shmid64_ds ds;
	long err = shmctl(id, IPC_STAT, &ds);
	return err < 0 ? err : (long)ds.nattch;
}

static long shmem_kb(void)
{
	return field_kb("/proc/meminfo", "Shmem:");
}

/* Prints the maps line of the region at `addr` without its range, device
 * and inode: permissions, offset and name. */
static void print_map(const char *what, void *addr)
{
	slurp("/proc/self/maps");
	for (const char *line = proc_text; *line;) {
		unsigned long start = 0;
		const char *p = line;
		for (; *p != '-'; p++)
			start = start * 16 + (*p <= '9' ? *p - '0' : *p - 'a' + 10);
		if (start == (unsigned long)addr) {
			const char *perms = p + 10, *name = perms;
			for (int spaces = 0; spaces < 4; name++)
				spaces += *name == ' ';
			while (*name == ' ')
				name++;
			print_str(what);
			print_str(": ");
			sys_write(1, perms, 14);
			print_str(" ");
			const char *end = name;
			while (*end != '\n')
				end++;
			sys_write(1, name, end - name);
			print_str("\n");
			return;
		}
		while (*line && *line++ != '\n')
			;
	}
	print_str(what);
	print_str(": no region\n");
}

/* Forks a child that runs `body` and exits with what it returns; returns
 * the child's wait status. */
static int in_child(long (*body)(void *), void *arg)
{
	int status = 0;
	long pid = sys_fork();
	if (pid == 0)
		sys_exit(body(arg));
	sys_waitpid(pid, &status, 0);
	return status;
}

static long touch_shared(void *arg)
{
	char *shared = arg;
	report("child reads the parent's byte", shared[0]);
	shared[1] = 'B';
	shared[PAGE] = 42;
	return 0;
}

static long touch_private(void *arg)
{
	char *private = arg;
	report("child reads the parent's private byte", private[0]);
	private[0] = 99;
	return 0;
}

static void shared_anonymous(void)
{
	long before = shmem_kb();
	char *shared = sys_mmap2(0, 2 * PAGE, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	print_map("shared anonymous region", shared);
	shared[0] = 'A';
	in_child(touch_shared, shared);
	report("parent reads the child's byte", shared[1]);
	report("parent reads the child's second page", shared[PAGE]);
	if (counts) {
		report("Shmem grew by (kB)", shmem_kb() - before);
		report("RssShmem (kB)", field_kb("/proc/self/status", "RssShmem:"));
	}

	char *private = sys_mmap2(0, PAGE, PROT_RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	private[0] = 7;
	in_child(touch_private, private);
	report("parent's private byte after the child wrote", private[0]);

	report("munmap the shared region", sys_munmap(shared, 2 * PAGE));
	if (counts)
		report("Shmem after munmap, from before (kB)", shmem_kb() - before);
	report("shared without a length", (long)sys_mmap2(0, 0, PROT_RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
}

static long sysv_child(void *arg)
{
	char *seg = arg;
	long id = seg[PAGE];
	report("child reads the parent's byte", seg[0]);
	report("nattch in the child", nattch(id));
	seg[1] = 'C';
	return 0;
}

static long write_readonly(void *arg)
{
	*(char *)arg = 1;
	return 0;
}

static void sysv(void)
{
	long before = shmem_kb();
	long id = shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
	report("shmget(IPC_PRIVATE, 3 pages)", id);
	long keyed = shmget(0x1234, PAGE, IPC_CREAT | 0644);
	report("shmget(0x1234, 1 page, IPC_CREAT)", keyed);
	report("shmget(0x1234) finds the same id", shmget(0x1234, PAGE, 0) == keyed);
	report("shmget(0x1234, IPC_CREAT|IPC_EXCL)", shmget(0x1234, PAGE, IPC_CREAT | IPC_EXCL));
	report("shmget(0x1234, larger than the segment)", shmget(0x1234, 2 * PAGE, 0));
	report("shmget(0x9999) without IPC_CREAT", shmget(0x9999, PAGE, 0));
	report("shmget(IPC_PRIVATE, 0 bytes)", shmget(IPC_PRIVATE, 0, IPC_CREAT));

	char *seg = 0, *other = 0;
	report("shmat", shmat(id, 0, 0, &seg));
	report("shmat's address is page-aligned", ((unsigned long)seg & (PAGE - 1)) == 0);
	print_map("System V region", seg);
	report("shmat the keyed segment", shmat(keyed, 0, 0, &other));
	print_map("keyed System V region", other);
	other[0] = 'K';
	report("nattch after shmat", nattch(id));
	seg[0] = 'P';
	seg[PAGE] = (char)id;
	in_child(sysv_child, seg);
	report("parent reads the child's byte", seg[1]);
	report("nattch after the child exited", nattch(id));
	if (counts)
		report("Shmem grew by (kB)", shmem_kb() - before);

	char *at = 0;
	report("shmat at an unaligned address", shmat(id, seg + 1, 0, &at));
	report("shmat where a region is", shmat(id, seg, 0, &at));
	report("shmat a bad id", shmat(12345, 0, 0, &at));
	char *ro = 0;
	report("shmat SHM_RDONLY", shmat(id, 0, SHM_RDONLY, &ro));
	print_map("read-only System V region", ro);
	report("child writing it ends with signal", in_child(write_readonly, ro) & 0x7f);
	report("shmdt the read-only attach", shmdt(ro));

	struct shmid64_ds ds;
	report("IPC_RMID while attached", shmctl(id, IPC_RMID, 0));
	report("IPC_STAT after IPC_RMID", shmctl(id, IPC_STAT, &ds));
	report("SHM_DEST is set", (ds.mode & SHM_DEST) != 0);
	report("the key is now IPC_PRIVATE", ds.key);
	report("size", ds.segsz);
	report("shmat after IPC_RMID", shmat(id, 0, 0, &at));
	report("the new attach sees the bytes", at[1]);
	report("shmdt", shmdt(at));
	report("shmdt", shmdt(seg));
	report("IPC_STAT once the last detached", shmctl(id, IPC_STAT, &ds));
	report("shmdt where nothing is attached", shmdt(seg));
	report("shmdt an unaligned address", shmdt(other + 1));
	report("shmctl an unknown command", shmctl(keyed, 99, &ds));
	report("IPC_RMID the keyed segment, attached", shmctl(keyed, IPC_RMID, 0));
	report("shmget(0x1234) after IPC_RMID", shmget(0x1234, PAGE, 0));
	if (counts)
		report("Shmem from before, the keyed page left (kB)", shmem_kb() - before);
}

__attribute__((noreturn, used)) static void start_c(long *sp)
{
	const char *arg = (const char *)sp[2];
	counts = sp[0] > 1 && arg[0] == 'c';
	syscall3(NR_mkdir, (long)"/proc", 0755, 0);
	syscall6(NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0);
	shared_anonymous();
	sysv();
	sys_exit(0);
}
