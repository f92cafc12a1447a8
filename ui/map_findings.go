package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"switchyard/core/mapping"
)

// setFindings keeps what checking the mapping found and says how many
// warnings there are (e.g. a download filter on a parent that can leave
// children without it): the same findings `integration check` reports.
func (sc *mapMetadataScreen) setFindings(fs []mapping.Finding) {
	sc.findings = fs
	n := 0
	for _, f := range fs {
		if f.Warning {
			n++
		}
	}
	if n == 0 {
		sc.warningsBtn.Hide()
	} else {
		sc.warningsBtn.SetText(fmt.Sprintf("%s…", plural(n, "warning", "warnings")))
		sc.warningsBtn.Importance = widget.WarningImportance
		sc.warningsBtn.Show()
	}
	sc.pane.showFindings()
	sc.entities.list.Refresh()
}

// entityWarnings returns the warnings about the external entity called name.
func (sc *mapMetadataScreen) entityWarnings(name string) []mapping.Finding {
	var out []mapping.Finding
	for _, f := range sc.findings {
		if f.Warning && f.Entity == name {
			out = append(out, f)
		}
	}
	return out
}

// findingText is a finding as the screen words it: the field, then the message.
func findingText(f mapping.Finding) string {
	where := f.Entity
	if f.Field != "" {
		where += "." + f.Field
	}
	return where + ": " + f.Msg
}

// showWarnings lists every warning of the mapping check.
func (sc *mapMetadataScreen) showWarnings() {
	var lines []string
	for _, f := range sc.findings {
		if f.Warning {
			lines = append(lines, "• "+findingText(f))
		}
	}
	intro := widget.NewLabel("Runs go ahead with these; check that they are what you want (`switchyard integration check " + sc.in.Name + "` reports the same):")
	intro.Wrapping = fyne.TextWrapWord
	list := widget.NewLabel(strings.Join(lines, "\n"))
	list.Wrapping = fyne.TextWrapWord
	list.Selectable = true
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(640, 200))
	sc.shell.showCustom("Mapping warnings of "+sc.in.Name, "Close", container.NewBorder(intro, nil, nil, nil, scroll))
}

// entityMenu is the context menu of the external entities list.
func (sc *mapMetadataScreen) entityMenu(int) []*fyne.MenuItem {
	_, mapped := sc.in.Entity(sc.pane.ext.Name)
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Enable", sc.onEnable),
		fyne.NewMenuItem("Disable", sc.onDisable),
	}
	items[0].Disabled = sc.enableBtn.Disabled()
	items[1].Disabled = sc.disableBtn.Disabled()
	sc.shell.writeItems(items[0], items[1])
	if mapped {
		items = append(items, fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem("Export entity…", sc.pane.onExport))
	}
	return items
}
