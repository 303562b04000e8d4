package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

func init() {
	tests = append(tests,
		struct {
			name string
			fn   func(*testing.T, *env)
		}{"RiskMarks", testRiskMarks},
		struct {
			name string
			fn   func(*testing.T, *env)
		}{"RiskMarkLinks", testRiskMarkLinks},
		struct {
			name string
			fn   func(*testing.T, *env)
		}{"AlertSave", testAlertSave},
		struct {
			name string
			fn   func(*testing.T, *env)
		}{"AlertOnePerKeyConcurrent", testAlertConcurrent},
		struct {
			name string
			fn   func(*testing.T, *env)
		}{"AlertPersistence", testAlertPersistence},
	)
}

func mark(id, citizen, subject string, d time.Duration) store.RiskMark {
	return store.RiskMark{CaseID: id, Citizen: citizen, Subject: subject, Name: subject + "公司", Kind: "employer",
		Region: "柳河县", Type: dispute.Labor, At: at(d), Escalate: []string{}}
}

func (e *env) putMark(m store.RiskMark) {
	e.t.Helper()
	if err := e.s.PutRiskMark(e.ctx, m); err != nil {
		e.t.Fatalf("PutRiskMark: %v", err)
	}
}

func markIDs(ms []store.RiskMark) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.CaseID)
	}
	return out
}

// Marks are found by subject and by citizen within a time range, oldest
// first; a replaced mark keeps one place in each index.
func testRiskMarks(t *testing.T, e *env) {
	e.putMark(mark("c3", "p3", "鑫达", 3*time.Hour))
	e.putMark(mark("c1", "p1", "鑫达", time.Hour))
	e.putMark(mark("c2", "p1", "鑫源", 2*time.Hour))
	e.putMark(mark("c4", "p4", "鑫达", 10*24*time.Hour))
	m := mark("c1", "p1", "鑫达", time.Hour)
	m.Crowd, m.CrowdWords, m.Escalate = 11, "十几个人", []string{"拉横幅"}
	e.putMark(m)

	got, err := e.s.MarksOfSubject(e.ctx, "鑫达", at(0), at(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ids := markIDs(got); !slices.Equal(ids, []string{"c1", "c3"}) {
		t.Fatalf("MarksOfSubject = %v, want [c1 c3]", ids)
	}
	if got[0].Crowd != 11 || !slices.Equal(got[0].Escalate, []string{"拉横幅"}) || !sameTime(got[0].At, at(time.Hour)) {
		t.Errorf("mark as read %+v", got[0])
	}
	got, err = e.s.MarksOfCitizen(e.ctx, "p1", at(0), at(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ids := markIDs(got); !slices.Equal(ids, []string{"c1", "c2"}) {
		t.Fatalf("MarksOfCitizen = %v, want [c1 c2]", ids)
	}
	byID, err := e.s.RiskMarks(e.ctx, []string{"c2", "c4", "nope"})
	if err != nil || len(byID) != 2 || byID["c4"].Subject != "鑫达" {
		t.Fatalf("RiskMarks = %v, %v", byID, err)
	}
	if got, _ := e.s.MarksOfSubject(e.ctx, "鑫", at(0), at(30*24*time.Hour)); len(got) != 0 {
		t.Errorf("a prefix of a subject found %v", markIDs(got))
	}
	active, err := e.s.ActiveSubjects(e.ctx, []string{"鑫达", "鑫", "鑫源", "锦江", "鑫达"}, at(0), at(5*time.Hour))
	if err != nil || !slices.Equal(active, []string{"鑫源", "鑫达"}) {
		t.Fatalf("ActiveSubjects = %v, %v; want [鑫源 鑫达]", active, err)
	}
	if active, _ := e.s.ActiveSubjects(e.ctx, []string{"鑫源"}, at(3*time.Hour), at(5*time.Hour)); len(active) != 0 {
		t.Errorf("a subject outside the range is active: %v", active)
	}
}

func newAlert(key string) store.Alert {
	return store.Alert{Key: key, Kind: "cluster", Level: "yellow", Subject: "鑫达建筑", Region: "柳河县", Type: dispute.Labor,
		Cases: []string{"c1", "c2", "c3"}, Citizens: 3, Reasons: []string{"3位群众反映同一对象"}, Status: store.AlertOpen,
		OpenedAt: at(0), UpdatedAt: at(0)}
}

// One open alert per key; changes only from the version read; closing
// frees the key; the audit entries go with the save; subscribers hear.
func testAlertSave(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	notices, err := e.s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.s.SaveAlert(e.ctx, newAlert("鑫达|柳河县|labor"), nil)
	if err != nil || a.ID == "" || a.Version != 1 {
		t.Fatalf("SaveAlert new = %+v, %v", a, err)
	}
	if n := next(t, notices); n.Alert != a.ID || n.CaseID != "" {
		t.Errorf("notice %+v, want alert %s", n, a.ID)
	}
	if _, err := e.s.SaveAlert(e.ctx, newAlert("鑫达|柳河县|labor"), nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second new alert of one key: %v, want ErrConflict", err)
	}
	other, err := e.s.SaveAlert(e.ctx, newAlert("鑫源|柳河县|labor"), nil)
	if err != nil || other.ID == a.ID {
		t.Fatalf("another key: %+v, %v", other, err)
	}
	up := a
	up.Level, up.Cases, up.Citizens = "red", append(up.Cases, "c4"), 4
	up, err = e.s.SaveAlert(e.ctx, up, nil)
	if err != nil || up.Version != 2 {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if _, err := e.s.SaveAlert(e.ctx, a, nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("update from a stale read: %v, want ErrConflict", err)
	}
	open, err := e.s.OpenAlert(e.ctx, "鑫达|柳河县|labor")
	if err != nil || open.ID != a.ID || open.Level != "red" || len(open.Cases) != 4 || !sameTime(open.OpenedAt, at(0)) {
		t.Fatalf("OpenAlert = %+v, %v", open, err)
	}
	up.Status, up.ClosedBy, up.Note, up.ClosedAt = store.AlertClosed, "desk", "已处置", at(time.Hour)
	audit := []store.AuditEntry{{At: at(time.Hour), User: "desk", Role: "mediator", Action: store.AuditChange, Detail: "alert " + a.ID + " closed"}}
	if _, err := e.s.SaveAlert(e.ctx, up, audit); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := e.s.OpenAlert(e.ctx, "鑫达|柳河县|labor"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("OpenAlert after close: %v, want ErrNotFound", err)
	}
	log, err := e.s.AuditLog(e.ctx, store.AuditFilter{User: "desk"})
	if err != nil || len(log) != 1 || log[0].Detail != "alert "+a.ID+" closed" {
		t.Fatalf("audit = %+v, %v", log, err)
	}
	again, err := e.s.SaveAlert(e.ctx, newAlert("鑫达|柳河县|labor"), nil)
	if err != nil || again.ID == a.ID {
		t.Fatalf("new alert after close = %+v, %v", again, err)
	}
	list, err := e.s.Alerts(e.ctx, store.AlertFilter{Status: store.AlertOpen})
	if err != nil || len(list) != 2 || list[0].ID != again.ID || list[1].ID != other.ID {
		t.Fatalf("open alerts = %+v, %v", list, err)
	}
	list, _ = e.s.Alerts(e.ctx, store.AlertFilter{CaseID: "c4"})
	if len(list) != 1 || list[0].ID != a.ID || list[0].Status != store.AlertClosed {
		t.Fatalf("alerts of c4 = %+v", list)
	}
	list, _ = e.s.Alerts(e.ctx, store.AlertFilter{Key: "鑫达|柳河县|labor"})
	if len(list) != 2 {
		t.Fatalf("alerts of the key = %d, want 2", len(list))
	}
	if _, err := e.s.Alert(e.ctx, "999"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown alert: %v", err)
	}
}

// Many writers opening the alert of one cluster at once: exactly one wins.
func testAlertConcurrent(t *testing.T, e *env) {
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, conflicts := 0, 0
	for i := range n {
		wg.Go(func() {
			a := newAlert("锦江|东昌区|property")
			a.Cases = []string{fmt.Sprint("c", i)}
			_, err := e.s.SaveAlert(e.ctx, a, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("SaveAlert: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != n-1 {
		t.Fatalf("%d saves won, %d conflicted; want 1 and %d", won, conflicts, n-1)
	}
	list, _ := e.s.Alerts(e.ctx, store.AlertFilter{})
	if len(list) != 1 {
		t.Fatalf("%d alerts stored, want 1", len(list))
	}
}

func testAlertPersistence(t *testing.T, e *env) {
	e.putMark(mark("c1", "p1", "鑫达", time.Hour))
	a, err := e.s.SaveAlert(e.ctx, newAlert("鑫达|柳河县|labor"), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.reopen()
	got, err := e.s.OpenAlert(e.ctx, "鑫达|柳河县|labor")
	if err != nil || got.ID != a.ID || got.Version != 1 || !slices.Equal(got.Cases, a.Cases) || got.Subject != "鑫达建筑" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if ms, err := e.s.MarksOfSubject(e.ctx, "鑫达", at(0), at(2*time.Hour)); err != nil || len(ms) != 1 {
		t.Fatalf("marks after reopen: %v, %v", ms, err)
	}
	if _, err := e.s.SaveAlert(e.ctx, newAlert("鑫达|柳河县|labor"), nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the key is still taken after reopen: %v", err)
	}
}

// A mark naming a second subject is found by that subject's key within a
// time range, oldest first; a mark that no longer names it is not.
func testRiskMarkLinks(t *testing.T, e *env) {
	linked := func(id, subject, link string, d time.Duration) store.RiskMark {
		m := mark(id, "p"+id, subject, d)
		m.Link = link
		return m
	}
	e.putMark(linked("c2", "锦绣华庭", "宏昌", 2*time.Hour))
	e.putMark(linked("c1", "锦绣华庭", "宏昌", time.Hour))
	e.putMark(linked("c3", "宏昌", "", 3*time.Hour))         // names 宏昌 alone: no link
	e.putMark(linked("c4", "锦绣华庭", "宏昌", 10*24*time.Hour)) // out of the range
	e.putMark(linked("c5", "锦绣华庭", "宏昌", 4*time.Hour))
	e.putMark(linked("c5", "锦绣华庭", "", 4*time.Hour)) // read again: links no more
	got, err := e.s.MarksLinkedTo(e.ctx, "宏昌", at(0), at(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if ids := markIDs(got); !slices.Equal(ids, []string{"c1", "c2"}) {
		t.Fatalf("MarksLinkedTo = %v, want [c1 c2]", ids)
	}
	if got[0].Subject != "锦绣华庭" || got[0].Link != "宏昌" {
		t.Errorf("linked mark as read %+v", got[0])
	}
	if got, _ := e.s.MarksLinkedTo(e.ctx, "锦绣华庭", at(0), at(30*24*time.Hour)); len(got) != 0 {
		t.Errorf("a mark's own subject found as a link: %v", markIDs(got))
	}
	if got, _ := e.s.MarksLinkedTo(e.ctx, "", at(0), at(30*24*time.Hour)); len(got) != 0 {
		t.Errorf("the empty key found %v", markIDs(got))
	}
}
