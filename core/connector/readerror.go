package connector

// ReadError is a connector's failure to read an entity: its text is
// "read ENTITY: " and the cause's. Connectors return it from their reads,
// so that the engine names the entity only when the connector did not
// (errors.As), and callers can tell which entity a read failed on.
type ReadError struct {
	// Entity is the external entity the read was of.
	Entity string
	// Err is why it failed.
	Err error
}

func (e *ReadError) Error() string { return "read " + e.Entity + ": " + e.Err.Error() }

// Unwrap returns the cause, for errors.Is and errors.As.
func (e *ReadError) Unwrap() error { return e.Err }

// ReadErr returns err as the failure to read entity, a *ReadError; nil
// when err is nil.
func ReadErr(entity string, err error) error {
	if err == nil {
		return nil
	}
	return &ReadError{Entity: entity, Err: err}
}
