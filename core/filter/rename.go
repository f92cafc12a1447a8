package filter

// Renamed returns a copy of e in which every field is named rename(name),
// and leaves e as it is: a tree may be shared (a connector.Query's Where),
// where RenameFields changes one in place.
func Renamed(e Expr, rename func(string) string) Expr {
	switch x := e.(type) {
	case *Field:
		return &Field{Name: rename(x.Name), At: x.At}
	case *Logical:
		return &Logical{Op: x.Op, Terms: renamedAll(x.Terms, rename), At: x.At}
	case *Not:
		return &Not{X: Renamed(x.X, rename), At: x.At}
	case *Compare:
		return &Compare{Op: x.Op, Left: Renamed(x.Left, rename), Right: Renamed(x.Right, rename), At: x.At}
	case *In:
		return &In{X: Renamed(x.X, rename), List: renamedAll(x.List, rename), At: x.At}
	case *Call:
		return &Call{Name: x.Name, Args: renamedAll(x.Args, rename), At: x.At}
	case *Shift:
		c := *x
		c.X = Renamed(x.X, rename)
		return &c
	}
	return e // nil or a Literal: nothing to rename
}

// renamedAll is Renamed of each of es, in a new slice.
func renamedAll(es []Expr, rename func(string) string) []Expr {
	if es == nil {
		return nil
	}
	out := make([]Expr, len(es))
	for i, x := range es {
		out[i] = Renamed(x, rename)
	}
	return out
}
