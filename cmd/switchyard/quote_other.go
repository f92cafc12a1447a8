//go:build !windows

package main

// windowsQuoting is false outside Windows: shellQuote quotes for a POSIX shell.
const windowsQuoting = false
