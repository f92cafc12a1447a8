package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
	"switchyard/core/meta"
)

// catalogTimeout bounds reading an external catalog.
const catalogTimeout = 5 * time.Minute

// externalEntitiesScreen shows the external entities of one integration and
// the fields of the selected one.
type externalEntitiesScreen struct {
	shell *Shell
	in    mapping.Integration

	all      []meta.Entity
	shown    []meta.Entity
	selected meta.Entity

	search     *widget.Entry
	entities   *rowList
	fields     *rowList
	fieldTitle *widget.Label
	status     *widget.Label
	errText    *widget.Label
	progress   *widget.ProgressBarInfinite
	refreshBtn *widget.Button
	root       fyne.CanvasObject

	// loading is true while a catalog read is under way.
	loading bool
}

func newExternalEntitiesScreen(s *Shell, in mapping.Integration) *externalEntitiesScreen {
	sc := &externalEntitiesScreen{shell: s, in: in}
	sc.buildUI()
	return sc
}

func (sc *externalEntitiesScreen) object() fyne.CanvasObject { return sc.root }

func (sc *externalEntitiesScreen) buildUI() {
	back := widget.NewButtonWithIcon("Integrations", theme.NavigateBackIcon(), func() { sc.shell.Show(SectionIntegrations) })
	sc.refreshBtn = widget.NewButtonWithIcon("Refresh schema", theme.ViewRefreshIcon(), func() { sc.load(true) })
	sc.search = widget.NewEntry()
	sc.search.SetPlaceHolder("Search entities")
	sc.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	sc.search.OnChanged = func(string) { sc.applyFilter() }

	sc.progress = widget.NewProgressBarInfinite()
	sc.progress.Stop()
	sc.progress.Hide()
	sc.status = widget.NewLabel("")
	sc.status.Importance = widget.MediumImportance
	sc.errText = errorLabel()

	sc.entities = newRowList([]column{{"Entity", 150}, {"Key", 70}, {"Fields", 70}, {"Mapped", 75}},
		func() int { return len(sc.shown) },
		func(row, col int) (string, widget.Importance) {
			e := sc.shown[row]
			switch col {
			case 0:
				return e.Name, widget.MediumImportance
			case 1:
				return strings.Join(e.Key, ", "), widget.MediumImportance
			case 2:
				return strconv.Itoa(len(e.Fields)), widget.MediumImportance
			default:
				if _, ok := sc.in.Entity(e.Name); ok {
					return "mapped", widget.SuccessImportance
				}
				return "", widget.MediumImportance
			}
		})
	sc.entities.list.OnSelected = func(id widget.ListItemID) {
		sc.selected = sc.shown[id]
		sc.fieldTitle.SetText(fmt.Sprintf("Fields of %s", sc.selected.Name))
		sc.fields.list.Refresh()
	}

	sc.fields = newRowList([]column{{"Field", 140}, {"Type", 85}, {"External type", 175}, {"Required", 95}, {"Lookup target", 110}},
		func() int { return len(sc.selected.Fields) },
		func(row, col int) (string, widget.Importance) {
			f := sc.selected.Fields[row]
			switch col {
			case 0:
				return f.Name, widget.MediumImportance
			case 1:
				return string(f.Type), widget.MediumImportance
			case 2:
				return f.ExternalType, widget.MediumImportance
			case 3:
				if f.Nullable {
					return "", widget.MediumImportance
				}
				return "required", widget.MediumImportance
			default:
				return f.Target, widget.MediumImportance
			}
		})
	sc.fieldTitle = widget.NewLabelWithStyle("Select an entity to see its fields", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	left := container.NewBorder(sc.search, nil, nil, nil, sc.entities.view)
	right := container.NewBorder(sc.fieldTitle, nil, nil, nil, sc.fields.view)
	split := container.NewHSplit(left, right)
	split.Offset = 0.38

	toolbar := container.NewHBox(back, sc.refreshBtn)
	top := container.NewVBox(heading(fmt.Sprintf("External entities of %s", sc.in.Name)), toolbar,
		container.NewStack(sc.progress), sc.status, sc.errText)
	sc.root = container.NewPadded(container.NewBorder(top, nil, nil, nil, split))
}

// reload reads the cached catalog, or the live one when nothing is cached.
func (sc *externalEntitiesScreen) reload() { sc.load(false) }

// load reads the catalog off the UI goroutine; refresh asks the system again.
func (sc *externalEntitiesScreen) load(refresh bool) {
	if sc.loading {
		return
	}
	sc.loading = true
	sc.refreshBtn.Disable()
	sc.progress.Show()
	sc.progress.Start()
	showMessage(sc.errText, "")
	if refresh {
		sc.status.SetText(fmt.Sprintf("Reading the schema of %q from the system…", sc.in.Name))
	} else {
		sc.status.SetText("Loading the schema…")
	}
	name := sc.in.Name
	go func() {
		ctx, cancel := context.WithTimeout(sc.shell.ctx(), catalogTimeout)
		defer cancel()
		cat, err := sc.shell.svc.Catalog(ctx, name, refresh)
		fyne.Do(func() { sc.loaded(cat, err) })
	}()
}

// loaded shows the outcome of load; it runs on the UI goroutine.
func (sc *externalEntitiesScreen) loaded(cat []meta.Entity, err error) {
	sc.loading = false
	sc.progress.Stop()
	sc.progress.Hide()
	sc.refreshBtn.Enable()
	if err != nil {
		sc.status.SetText("")
		showMessage(sc.errText, fmt.Sprintf("Could not read the external entities: %v\nCheck the integration's settings (Integrations → Edit → Test connection), then click Refresh schema.", err))
		return
	}
	sc.all = cat
	sc.status.SetText(fmt.Sprintf("%d external entities, %d mapped", len(cat), sc.mappedCount()))
	sc.applyFilter()
}

func (sc *externalEntitiesScreen) mappedCount() int {
	n := 0
	for _, e := range sc.all {
		if _, ok := sc.in.Entity(e.Name); ok {
			n++
		}
	}
	return n
}

// applyFilter shows the entities whose name or label holds the search text.
func (sc *externalEntitiesScreen) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(sc.search.Text))
	sc.shown = sc.shown[:0]
	for _, e := range sc.all {
		if q == "" || strings.Contains(strings.ToLower(e.Name), q) || strings.Contains(strings.ToLower(e.Label), q) {
			sc.shown = append(sc.shown, e)
		}
	}
	sc.entities.list.UnselectAll()
	sc.selected = meta.Entity{}
	sc.fieldTitle.SetText("Select an entity to see its fields")
	sc.entities.list.Refresh()
	sc.fields.list.Refresh()
}
