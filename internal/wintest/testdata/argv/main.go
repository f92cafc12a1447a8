// Command argv is a Windows helper of internal/wintest, built with GOOS=windows
// and run under Wine.
//
//	argv.exe ARGS...            prints its arguments, as Windows split its command line, as a JSON array
//	argv.exe --exec COMMANDLINE starts COMMANDLINE as Task Scheduler does a task's action (CreateProcess with no
//	                            application name: the program is the command line's first token), waits, and
//	                            exits with its exit code
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"unsafe"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "--exec" {
		os.Exit(run(os.Args[2]))
	}
	json.NewEncoder(os.Stdout).Encode(os.Args[1:])
}

func run(line string) int {
	cl, err := syscall.UTF16PtrFromString(line)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 125
	}
	si := &syscall.StartupInfo{}
	si.Cb = uint32(unsafe.Sizeof(*si))
	var pi syscall.ProcessInformation
	if err := syscall.CreateProcess(nil, cl, nil, nil, true, 0, nil, nil, si, &pi); err != nil {
		fmt.Fprintf(os.Stderr, "CreateProcess %s: %v\n", line, err)
		return 126
	}
	defer syscall.CloseHandle(pi.Process)
	defer syscall.CloseHandle(pi.Thread)
	syscall.WaitForSingleObject(pi.Process, syscall.INFINITE)
	var code uint32
	syscall.GetExitCodeProcess(pi.Process, &code)
	return int(code)
}
