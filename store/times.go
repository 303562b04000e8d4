package store

import "time"

// Both backends keep times as Unix milliseconds, the zero time.Time as 0,
// so "never" reads naturally (consent_at = 0). The cost is that the epoch
// itself reads back as the zero time, an instant jiefen never records.

// UnixMS is t in Unix milliseconds, 0 for the zero time.
func UnixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// FromUnixMS reads UnixMS back, in UTC.
func FromUnixMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
