package main

// windowsQuoting makes shellQuote quote paths for cmd.exe and PowerShell
// (double quotes), not for a POSIX shell (single quotes, which cmd.exe keeps).
const windowsQuoting = true
