/*
 * bcryptprimitives.dll for Wine 8 — a test-only shim, never shipped.
 *
 * Go 1.22 and later read random bytes with ProcessPrng from bcryptprimitives.dll, which Windows 10 and
 * later have and Wine 8.0 (Debian 12) lacks: a Go program stops at start with "bcryptprimitives.dll not
 * found". This DLL exports ProcessPrng and fills the buffer with RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. scripts/wintest.sh builds it with mingw and copies it into the Wine
 * prefix's system32 (next to the .exe is not enough: the runtime loads it from system32 only).
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

/* RtlGenRandom is exported by advapi32 under this name. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
