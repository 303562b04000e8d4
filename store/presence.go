package store

import (
	"context"
	"strings"
	"time"
)

// Presence keeps who has a case open in the console right now, for the
// case page's "also open by". An entry is one open page (a websocket),
// refreshed while the page lives and gone when it closes or when its
// refresh stops (the browser or its instance died): entries expire by
// themselves. Each is written alone, never with a Change. A change in
// who is there is announced to every instance's Subscribe as a Notice
// with Presence set.
type Presence interface {
	// Present records that viewer has caseID open until until (on the
	// caller's clock, now), and drops other entries of the case expired
	// at now; when either changed who is there, it announces it.
	Present(ctx context.Context, caseID, viewer string, until, now time.Time) error
	// Absent removes viewer's entry (the page closed) and announces it.
	Absent(ctx context.Context, caseID, viewer string) error
	// Viewers lists the case's unexpired entries at now, sorted.
	Viewers(ctx context.Context, caseID string, now time.Time) ([]string, error)
}

// Viewer names one open page: the page's own id (unique per
// connection) and its user's login name.
func Viewer(page, user string) string { return page + ":" + user }

// ViewerUser is the login name in a Viewer.
func ViewerUser(viewer string) string {
	_, user, _ := strings.Cut(viewer, ":")
	return user
}
