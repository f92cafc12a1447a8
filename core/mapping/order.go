package mapping

// Order returns the enabled entity mappings of in in the order an import
// runs them, parents before children: an entity whose lookups point to the
// local entity of another mapping comes after it. Mappings with no such
// relation keep their order in the file.
//
// Lookups that cannot be resolved in that first pass are returned in
// deferred, by external entity name: a lookup of an entity to itself (a
// parent account may come later in the same run), and, where lookups form a
// cycle (contacts → accounts → contacts), the lookups that close it. The
// engine imports every entity in order without its deferred fields, then
// sets the deferred lookups in a second pass. The returned mappings are
// whole: deferred fields are still among their Fields.
func Order(in Integration) (ordered []EntityMapping, deferred map[string][]FieldMapping) {
	var list []EntityMapping
	for _, e := range in.Entities {
		if !e.Disabled {
			list = append(list, e)
		}
	}
	n := len(list)
	byLocal := map[string][]int{}
	for i, e := range list {
		byLocal[e.Local] = append(byLocal[e.Local], i)
	}
	// needs[i][j]: mapping i has an enabled lookup to the local entity of mapping j.
	needs := make([]map[int]bool, n)
	deferred = map[string][]FieldMapping{}
	for i, e := range list {
		needs[i] = map[int]bool{}
		for _, f := range e.Fields {
			if f.Disabled || f.Lookup == "" {
				continue
			}
			if f.Lookup == e.Local {
				deferred[e.External] = append(deferred[e.External], f)
				continue
			}
			for _, j := range byLocal[f.Lookup] {
				needs[i][j] = true
			}
		}
	}
	placed := make([]bool, n)
	for len(ordered) < n {
		next := -1
		for i := range list {
			if !placed[i] && waiting(needs[i], placed) == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			// A cycle: place the entity that waits for the fewest others (the
			// earlier in the file on a tie) and defer its lookups to those.
			best := n + 1
			for i := range list {
				if w := waiting(needs[i], placed); !placed[i] && w < best {
					next, best = i, w
				}
			}
			e := list[next]
			for _, f := range e.Fields {
				if f.Disabled || f.Lookup == "" || f.Lookup == e.Local {
					continue
				}
				for _, j := range byLocal[f.Lookup] {
					if !placed[j] && j != next {
						deferred[e.External] = append(deferred[e.External], f)
						break
					}
				}
			}
		}
		placed[next] = true
		ordered = append(ordered, list[next])
	}
	return ordered, deferred
}

// waiting counts the mappings in needs that are not placed yet.
func waiting(needs map[int]bool, placed []bool) int {
	w := 0
	for j := range needs {
		if !placed[j] {
			w++
		}
	}
	return w
}
