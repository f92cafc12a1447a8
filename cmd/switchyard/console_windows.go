package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// switchyard.exe is a console program, so that headless commands typed in
// cmd.exe or PowerShell print there, are waited for, and set %ERRORLEVEL% /
// $LASTEXITCODE. Started from the Start menu, Explorer or Task Scheduler,
// Windows gives it a console window of its own, which would stay open beside
// the GUI (or flash up on every scheduled sync): init hides that window when
// no other process shares the console. Output still goes to the hidden
// console, and the window closes with the process.
func init() { hideOwnConsole() }

var (
	kernel32                  = windows.NewLazySystemDLL("kernel32.dll")
	user32                    = windows.NewLazySystemDLL("user32.dll")
	procGetConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")
	procGetConsoleWindow      = kernel32.NewProc("GetConsoleWindow")
	procShowWindow            = user32.NewProc("ShowWindow")
)

// hideOwnConsole hides the console window when this process is the only one
// attached to it (a shell that started us is attached too, and keeps it).
func hideOwnConsole() {
	if procGetConsoleProcessList.Find() != nil || procGetConsoleWindow.Find() != nil || procShowWindow.Find() != nil {
		return
	}
	var pids [2]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	if n != 1 {
		return // 0: no console; 2 or more: a shell or another program shares it
	}
	if hwnd, _, _ := procGetConsoleWindow.Call(); hwnd != 0 {
		procShowWindow.Call(hwnd, windows.SW_HIDE)
	}
}
