/* mmaps: a musl program prints its own /proc/self/maps with stdio,
 * compared with Linux.
 *
 * fopen, fgets and printf run on open, readv, writev and the heap. The
 * lines printed are the regions of the program's own file, with range,
 * permissions, offset and device (the inode and path differ: Linux runs it
 * as /init); the heap, stack and mappings Linux places at random are left
 * out. Linux's initramfs has no /proc, so the program mounts one; on vmlab
 * those two calls fail harmlessly. */

#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

int main(void)
{
	char line[256];
	mkdir("/proc", 0755);
	mount("proc", "/proc", "proc", 0, 0);
	FILE *maps = fopen("/proc/self/maps", "r");
	if (!maps) {
		perror("/proc/self/maps");
		return 1;
	}
	int lines = 0;
	while (fgets(line, sizeof line, maps)) {
		char range[32], perms[8], offset[16], dev[16], path[128] = "";
		unsigned long inode;
		lines++;
		if (sscanf(line, "%31s %7s %15s %15s %lu %127s", range, perms, offset, dev, &inode, path) < 5)
			continue;
		if (path[0] == '/')
			printf("%s %s %s %s\n", range, perms, offset, dev);
	}
	fclose(maps);
	printf("%s\n", lines > 3 ? "more regions than the file's" : "too few regions");
	return 0;
}
