package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/admin"
	"switchyard/core/meta"
)

// emptyLocalData says how local entities come to be.
const emptyLocalData = "No local entities yet.\n" +
	"They are created when you import an integration file (switchyard integration import FILE):\n" +
	"every entity and field its mappings name is added to this workspace."

// selectLocalEntity is what the right pane says before an entity is picked.
const selectLocalEntity = "Select an entity to browse its rows and its schema"

// localDataScreen lists the workspace's local entities with their row counts
// and the fields of the selected one.
type localDataScreen struct {
	shell    *Shell
	items    []admin.EntityCount
	selected meta.Entity
	loads    loader
	// want is the entity to select once the list is read again (refresh), "" for the first.
	want string
	// refreshing is true while a refresh selects the entity shown again.
	refreshing bool

	entities   *rowList
	fields     *rowList
	fieldTitle *widget.Label
	rowsView   *rowsView
	tabs       *container.AppTabs
	loadErr    *widget.Label
	body       *fyne.Container
	split      fyne.CanvasObject
	empty      fyne.CanvasObject
	root       fyne.CanvasObject
}

func newLocalDataScreen(s *Shell) *localDataScreen {
	sc := &localDataScreen{shell: s}
	sc.buildUI()
	return sc
}

func (sc *localDataScreen) object() fyne.CanvasObject { return sc.root }

func (sc *localDataScreen) buildUI() {
	sc.entities = newRowList([]column{{"Entity", 170}, {"Rows", 70}},
		func() int { return len(sc.items) },
		func(row, col int) (string, widget.Importance) {
			e := sc.items[row]
			if col == 0 {
				return e.Entity.Name, widget.MediumImportance
			}
			if e.Rows < 0 {
				return "?", widget.DangerImportance
			}
			return thousands(e.Rows), widget.MediumImportance
		})
	sc.entities.list.OnSelected = func(id widget.ListItemID) {
		was := sc.selected
		sc.selected = sc.items[id].Entity
		sc.fieldTitle.SetText(fmt.Sprintf("%s — %d fields, %s rows", sc.selected.Name, len(sc.selected.Fields), thousands(sc.items[id].Rows)))
		sc.fields.list.Refresh()
		if sc.refreshing && was.Name == sc.selected.Name && len(was.Fields) == len(sc.selected.Fields) {
			sc.rowsView.read() // the same entity read again: its page, in place
		} else {
			sc.rowsView.show(sc.selected)
		}
		sc.tabs.Show()
	}
	sc.fields = newRowList([]column{{"Field", 200}, {"Type", 100}, {"Lookup target", 160}},
		func() int { return len(sc.selected.Fields) },
		func(row, col int) (string, widget.Importance) {
			f := sc.selected.Fields[row]
			imp := widget.MediumImportance
			if f.ReadOnly {
				imp = widget.LowImportance // system fields: id, createdon, ...
			}
			switch col {
			case 0:
				if f.ReadOnly {
					return f.Name + " (system)", imp
				}
				return f.Name, imp
			case 1:
				return string(f.Type), imp
			default:
				return f.Target, imp
			}
		})
	sc.fieldTitle = widget.NewLabelWithStyle(selectLocalEntity, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	sc.rowsView = newRowsView(sc.shell)
	sc.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Rows", theme.ListIcon(), sc.rowsView.root),
		container.NewTabItemWithIcon("Schema", theme.InfoIcon(), sc.fields.view),
	)
	sc.tabs.Hide()
	split := container.NewHSplit(sc.entities.view, container.NewBorder(sc.fieldTitle, nil, nil, nil, sc.tabs))
	split.Offset = 0.25
	sc.split = split
	sc.empty = emptyState(theme.ListIcon(), emptyLocalData)
	sc.loadErr = errorLabel()
	sc.body = container.NewStack(loadingState())
	sc.root = container.NewPadded(container.NewBorder(container.NewVBox(heading("Local data"), sc.loadErr), nil, nil, nil, sc.body))
}

// copyText is the selected cell of the rows shown, else the selected entity's name.
func (sc *localDataScreen) copyText() string {
	if t := sc.rowsView.copyText(); t != "" {
		return t
	}
	return sc.selected.Name
}

// reload lists the local entities and their row counts again off the UI goroutine.
func (sc *localDataScreen) reload() {
	load(sc.shell, &sc.loads, sc.shell.svc.LocalEntityCounts, sc.loaded)
}

// loaded lists the entities read by reload; it runs on the UI goroutine.
func (sc *localDataScreen) loaded(items []admin.EntityCount, err error) {
	if err != nil {
		showMessage(sc.loadErr, fmt.Sprintf("Could not read the local entities of this workspace: %v", err))
		return
	}
	showMessage(sc.loadErr, "")
	keep := sc.want
	sc.want = ""
	was := sc.selected
	sc.items = items
	for _, e := range items {
		if e.Err != nil {
			showMessage(sc.loadErr, fmt.Sprintf("Could not count the rows of some entities (shown as ?): %v", e.Err))
			break
		}
	}
	sc.selected = meta.Entity{}
	sc.fieldTitle.SetText(selectLocalEntity)
	sc.tabs.Hide()
	sc.entities.list.UnselectAll()
	if len(sc.items) == 0 {
		sc.body.Objects = []fyne.CanvasObject{sc.empty}
	} else {
		sc.body.Objects = []fyne.CanvasObject{sc.split}
	}
	sc.body.Refresh()
	sc.entities.list.Refresh()
	sc.fields.list.Refresh()
	sel := 0
	for i, e := range sc.items {
		if keep != "" && e.Entity.Name == keep {
			sel = i
		}
	}
	if len(sc.items) > 0 {
		sc.selected, sc.refreshing = was, keep != ""
		sc.entities.list.Select(sel)
		sc.refreshing = false
	}
	sc.entities.restoreScroll()
}
