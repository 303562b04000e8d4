package routing

import (
	"time"

	"jiefen/dispute"
)

// The routing table's alerts section: how far apart the cases of one
// cluster may be for the risk early warning (package risk), in days, for
// every type and per type. Omitted, the window is DefaultAlertWindowDays.
//
//	alerts:
//	  window_days: 7        # every type
//	  windows:              # per type, overriding window_days
//	    labor: 14
//	    expropriation: 30
type fileAlerts struct {
	WindowDays int            `yaml:"window_days"`
	Windows    map[string]int `yaml:"windows"`
}

// DefaultAlertWindowDays is the window of a table that sets none.
const DefaultAlertWindowDays = 7

// MaxAlertWindowDays bounds a window: beyond a quarter, complaints about
// one subject are history, not a gathering crowd, and the index range read
// for each new case would grow with it.
const MaxAlertWindowDays = 90

// AlertWindow is how far apart the cases of one cluster of type typ may be.
func (t *Table) AlertWindow(typ dispute.Type) time.Duration {
	days := DefaultAlertWindowDays
	if t.alertDays > 0 {
		days = t.alertDays
	}
	if d, ok := t.alertWindows[typ]; ok {
		days = d
	}
	return time.Duration(days) * 24 * time.Hour
}

// alerts validates the alerts section into t.
func (v *validator) alerts(f *fileAlerts, t *Table) {
	if f == nil {
		return
	}
	valid := func(at string, days int) bool {
		if days < 1 || days > MaxAlertWindowDays {
			v.addf("%s: %d days: want 1 to %d", at, days, MaxAlertWindowDays)
			return false
		}
		return true
	}
	if f.WindowDays != 0 && valid("alerts.window_days", f.WindowDays) {
		t.alertDays = f.WindowDays
	}
	for code, days := range f.Windows {
		typ := dispute.Type(code)
		if !typ.Valid() || typ == dispute.None {
			v.addf("alerts.windows: %q is not a dispute type", code)
			continue
		}
		if valid("alerts.windows."+code, days) {
			if t.alertWindows == nil {
				t.alertWindows = map[dispute.Type]int{}
			}
			t.alertWindows[typ] = days
		}
	}
}
