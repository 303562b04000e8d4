package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"jiefen/dispute"
)

// Risk is what the risk early warning keeps (package risk says what it
// finds; workflow's alerts.go decides): a mark per case (its subject, its
// citizen, its signals), indexed by subject and by citizen with the time the
// case was filed, so that the cases about one subject within a window are
// one index read however many other cases the window holds; and the alerts,
// at most one open per cluster key however many instances evaluate at once.
// Part of Store.
type Risk interface {
	// PutRiskMark stores or replaces a case's mark and moves it in the
	// indexes.
	PutRiskMark(ctx context.Context, m RiskMark) error
	// RiskMarks returns the marks of the cases ids names that have one.
	RiskMarks(ctx context.Context, ids []string) (map[string]RiskMark, error)
	// MarksOfSubject lists the marks with this subject key filed within
	// [from, to], oldest first.
	MarksOfSubject(ctx context.Context, subject string, from, to time.Time) ([]RiskMark, error)
	// ActiveSubjects returns those of keys that some mark has as its
	// subject, filed within [from, to]: the names in use lately, which a
	// complaint may mention without the word (公司, 小区 …) that would let
	// it be read as a name.
	ActiveSubjects(ctx context.Context, keys []string, from, to time.Time) ([]string, error)
	// MarksOfCitizen lists the marks of one citizen (RiskMark.Citizen)
	// filed within [from, to], oldest first.
	MarksOfCitizen(ctx context.Context, citizen string, from, to time.Time) ([]RiskMark, error)
	// MarksLinkedTo lists the marks whose Link is key filed within
	// [from, to], oldest first: the cases that named key together with
	// their own subject, so that cases naming key alone may join them.
	MarksLinkedTo(ctx context.Context, key string, from, to time.Time) ([]RiskMark, error)

	// SaveAlert stores a, with audit entries, atomically and only if it
	// is the change of what the caller read: a new alert (Version 0) only
	// while no open alert has its Key, an existing one only while its
	// stored Version is a.Version; otherwise ErrConflict and nothing
	// changes. It returns the alert as stored (ID and Version assigned)
	// and announces it to subscribers (Notice.Alert). An alert whose
	// Status is AlertClosed frees its Key for a new one.
	SaveAlert(ctx context.Context, a Alert, audit []AuditEntry) (Alert, error)
	// OpenAlert returns the open alert of a cluster key, or ErrNotFound.
	OpenAlert(ctx context.Context, key string) (Alert, error)
	// Alert returns one alert, or ErrNotFound.
	Alert(ctx context.Context, id string) (Alert, error)
	// Alerts lists the alerts that match f, the most recently opened first.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
}

// RiskMark is what the risk early warning knows of one case.
type RiskMark struct {
	CaseID  string
	Citizen string // an opaque id of whoever filed it (a hash of the openid; never shown)
	Subject string // the subject's matching key (risk.Subject.Key); "" when it names none
	Name    string // the subject as written
	Kind    string // the subject's kind (risk.Employer …)
	Trade   string `json:",omitempty"` // a shop's line of business (risk.Subject.Trade)
	// Link is the key of a second subject the case names with Subject
	// (the developer of the estate, the contractor on the site): the
	// evidence that citizens naming only one or the other mean one matter.
	Link   string `json:",omitempty"`
	Region string
	Type   dispute.Type
	At     time.Time // when the case was filed
	// The signals of the citizen's messages on the case so far.
	Crowd      int
	CrowdWords string
	Escalate   []string
	Reopened   int // times the case went back from an end to work
}

// Alert states.
const (
	AlertOpen   = "open"
	AlertClosed = "closed"
)

// Alert is one risk early warning: a cluster of cases that may be one
// matter, graded yellow, orange or red.
//
// Its JSON (EncodeAlert) is how both stores keep it, without ID and
// Version, which they keep apart.
type Alert struct {
	ID       string `json:"-"`
	Key      string // the cluster key: at most one open alert per key
	Kind     string // risk.KindCluster, KindRepeat, KindReopened
	Level    string // risk.Yellow, Orange, Red
	Subject  string // what the cases share, as shown
	Region   string
	Type     dispute.Type
	Cases    []string // case numbers, in the order they joined
	Citizens int      // distinct citizens
	Reasons  []string // the words that raised the level (never personal data)
	// Trend is how many of the cases were filed on each of the last days
	// before UpdatedAt, oldest first.
	Trend     []int
	Status    string // AlertOpen or AlertClosed
	AckBy     string // who acknowledged it ("" : nobody yet)
	AckAt     time.Time
	ClosedBy  string
	ClosedAt  time.Time
	Note      string // the closing note
	Notified  string // the highest level sent to the duty desk's webhook ("" : none)
	OpenedAt  time.Time
	UpdatedAt time.Time
	Version   int64 `json:"-"` // bumped by every save; 0 for an alert not yet stored
}

// AlertFilter selects alerts; empty fields match all.
type AlertFilter struct {
	Status string // AlertOpen, AlertClosed
	Key    string
	CaseID string // the alerts holding this case
	Limit  int    // 0: no limit
}

// EncodeRiskMark is a mark as both stores keep it.
func EncodeRiskMark(m RiskMark) string {
	if m.Escalate == nil {
		m.Escalate = []string{}
	}
	b, _ := json.Marshal(m) // strings, numbers and times only: cannot fail
	return string(b)
}

// DecodeRiskMark reads EncodeRiskMark's form.
func DecodeRiskMark(s string) (RiskMark, error) {
	var m RiskMark
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return RiskMark{}, fmt.Errorf("store: malformed risk mark")
	}
	return m, nil
}

// EncodeAlert is an alert as both stores keep it (without ID and Version).
func EncodeAlert(a Alert) string {
	b, _ := json.Marshal(a) // strings, numbers and times only: cannot fail
	return string(b)
}

// DecodeAlert reads EncodeAlert's form.
func DecodeAlert(s string) (Alert, error) {
	var a Alert
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return Alert{}, fmt.Errorf("store: malformed alert")
	}
	return a, nil
}
