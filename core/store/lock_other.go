//go:build !unix

package store

// processAlive cannot tell on this system: the heartbeat decides alone.
func processAlive(pid int) bool { return true }
