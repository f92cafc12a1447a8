// Package wintest runs the Windows build of Switchyard (bin/switchyard.exe,
// cross-built by `make windows`) under Wine on Linux: the headless commands end
// to end against a SAP CAP OData server of its own, the exit codes, secrets
// sealed under a key in the Windows Credential Manager, workspace paths with
// spaces, the run lock across Windows processes, the schtasks command through
// cmd.exe, "Open report", the MSI (install, upgrade, uninstall), and a GUI
// smoke test under Xvfb with a screenshot.
//
// scripts/wintest.sh sets it up (Wine, mingw-w64, the bcryptprimitives.dll shim
// that Go 1.22+ needs under Wine 8, the .exe and the MSIs) and runs it; it is
// the last step of `make test` and is `make test-windows` alone. Run directly,
// without the variables that script sets, the tests skip and say so. Nothing
// here ran on a real Windows: Wine is not Windows (see docs/platforms.md).
package wintest
