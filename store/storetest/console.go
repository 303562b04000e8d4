package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"jiefen/dispute"
	"jiefen/store"
)

// The mediators' console: users, sessions, API tokens, failed logins, and
// the assignment of cases to users.

func checkUser(t *testing.T, what string, got, want store.User) {
	t.Helper()
	if !sameTime(got.CreatedAt, want.CreatedAt) {
		t.Errorf("%s: CreatedAt %v, want %v", what, got.CreatedAt, want.CreatedAt)
	}
	if !sameTime(got.SessionsAfter, want.SessionsAfter) {
		t.Errorf("%s: SessionsAfter %v, want %v", what, got.SessionsAfter, want.SessionsAfter)
	}
	got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
	got.SessionsAfter, want.SessionsAfter = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

func userNames(us []store.User) []string {
	var s []string
	for _, u := range us {
		s = append(s, u.Name)
	}
	return s
}

func testUsers(t *testing.T, e *env) {
	if _, err := e.s.User(e.ctx, "王"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("User(unknown) = %v, want ErrNotFound", err)
	}
	if us, err := e.s.Users(e.ctx); err != nil || len(us) != 0 {
		t.Errorf("Users of an empty store = %+v, %v; want none", us, err)
	}
	users := []store.User{
		{Name: "王", Display: "王小明", Role: store.RoleMediator, Body: "东昌区劳动人事争议仲裁院", PasswordHash: "$2a$10$w", CreatedAt: at(0)},
		{Name: "admin", Role: store.RoleAdmin, PasswordHash: "$2a$10$a", CreatedAt: at(time.Second)},
		{Name: "li", Display: "李 \"丽\" <b>", Role: store.RoleSupervisor, Body: "集安市人民调解委员会", PasswordHash: "$2a$10$l", Disabled: true, SessionsAfter: at(time.Minute), CreatedAt: at(2 * time.Second)},
	}
	for _, u := range users {
		if err := e.s.PutUser(e.ctx, u); err != nil {
			t.Fatalf("PutUser(%s): %v", u.Name, err)
		}
	}
	for _, want := range users {
		got, err := e.s.User(e.ctx, want.Name)
		if err != nil {
			t.Fatalf("User(%s): %v", want.Name, err)
		}
		checkUser(t, want.Name, got, want)
	}
	// By name, in byte order: ASCII before Chinese.
	list, err := e.s.Users(e.ctx)
	if err != nil {
		t.Fatalf("Users: %v", err)
	}
	if got, want := userNames(list), []string{"admin", "li", "王"}; !slices.Equal(got, want) {
		t.Fatalf("Users = %v, want %v", got, want)
	}
	checkUser(t, "listed li", list[1], users[2])

	// Replaced whole, by name: a display name and a disabled flag set
	// before do not survive a record without them.
	repl := store.User{Name: "li", Role: store.RoleMediator, PasswordHash: "$2a$10$new", CreatedAt: at(time.Hour)}
	if err := e.s.PutUser(e.ctx, repl); err != nil {
		t.Fatalf("PutUser(replace): %v", err)
	}
	got, err := e.s.User(e.ctx, "li")
	if err != nil {
		t.Fatalf("User(li): %v", err)
	}
	checkUser(t, "replaced user", got, repl)
	if list, err := e.s.Users(e.ctx); err != nil || len(list) != 3 {
		t.Errorf("Users after a replacement = %v, %v; want 3 users", userNames(list), err)
	}
}

// Sessions go by the caller's clock, here the suite's fake one, which is
// not the real date: a store that lets its server expire them must make
// Expires a lifetime from the caller's now, never a moment on the server's
// clock, or a session would die at once (or outlive its time).
func testSessions(t *testing.T, e *env) {
	now := at(0)
	if _, err := e.s.Session(e.ctx, "h1", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session(unknown) = %v, want ErrNotFound", err)
	}
	s1 := store.Session{IDHash: "h1", User: "王", CSRF: "csrf1", Expires: now.Add(time.Hour)}
	if err := e.s.PutSession(e.ctx, s1, now); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	check := func(what string, at time.Time, want store.Session) {
		t.Helper()
		got, err := e.s.Session(e.ctx, want.IDHash, at)
		if err != nil {
			t.Fatalf("%s: Session: %v", what, err)
		}
		if !sameTime(got.Expires, want.Expires) {
			t.Errorf("%s: Expires %v, want %v", what, got.Expires, want.Expires)
		}
		got.Expires, want.Expires = time.Time{}, time.Time{}
		if got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
		}
	}
	gone := func(what, idHash string, at time.Time) {
		t.Helper()
		if s, err := e.s.Session(e.ctx, idHash, at); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: Session = %+v, %v; want ErrNotFound", what, s, err)
		}
	}
	check("fresh session", now, s1)
	check("a millisecond before it expires", s1.Expires.Add(-time.Millisecond), s1)
	gone("when it expires", "h1", s1.Expires)
	gone("after it expired", "h1", now.Add(2*time.Hour))
	check("asked again at an earlier now", now, s1) // reading at a later now deletes nothing

	expired := store.Session{IDHash: "h2", User: "王", CSRF: "csrf2", Expires: now.Add(-time.Minute)}
	if err := e.s.PutSession(e.ctx, expired, now); err != nil {
		t.Fatalf("PutSession(expired): %v", err)
	}
	gone("stored expired", "h2", now)

	// Replaced by its hash.
	s1b := store.Session{IDHash: "h1", User: "李", CSRF: "csrf3", Expires: now.Add(2 * time.Hour)}
	if err := e.s.PutSession(e.ctx, s1b, now); err != nil {
		t.Fatalf("PutSession(replace): %v", err)
	}
	check("replaced session", now.Add(90*time.Minute), s1b)

	s3 := store.Session{IDHash: "h3", User: "王", CSRF: "csrf4", Expires: now.Add(time.Hour)}
	if err := e.s.PutSession(e.ctx, s3, now); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if err := e.s.DeleteSession(e.ctx, "h1"); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	gone("deleted", "h1", now)
	check("another session", now, s3)
	if err := e.s.DeleteSession(e.ctx, "h-unknown"); err != nil {
		t.Errorf("DeleteSession(unknown) = %v, want nil", err)
	}
	// Purge drops nothing still valid at its now.
	if err := e.s.Purge(e.ctx, now); err != nil {
		t.Fatalf("Purge: %v", err)
	}
	check("after Purge", now, s3)
}

// A session whose time comes while it is stored is gone when asked for at
// the clock's now, here the real one: whatever the server does on its own
// clock agrees with the caller's.
func testSessionExpiresInRealTime(t *testing.T, e *env) {
	now := time.Now()
	s := store.Session{IDHash: "h1", User: "王", CSRF: "c", Expires: now.Add(50 * time.Millisecond)}
	if err := e.s.PutSession(e.ctx, s, now); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	time.Sleep(100 * time.Millisecond)
	if got, err := e.s.Session(e.ctx, "h1", time.Now()); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Session after its expiry = %+v, %v; want ErrNotFound", got, err)
	}
}

func testTokens(t *testing.T, e *env) {
	if _, err := e.s.Token(e.ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token(unknown) = %v, want ErrNotFound", err)
	}
	if list, err := e.s.Tokens(e.ctx, "王"); err != nil || len(list) != 0 {
		t.Errorf("Tokens of a user without any = %+v, %v; want none", list, err)
	}
	toks := []store.Token{
		{Hash: "t3", User: "王", Prefix: "jft_C", CreatedAt: at(2 * time.Minute), Expires: at(time.Hour)},
		{Hash: "t1", User: "王", Prefix: "jft_A", CreatedAt: at(0), Expires: at(90 * 24 * time.Hour)},
		{Hash: "t2", User: "admin", Prefix: "jft_B", CreatedAt: at(time.Minute), Expires: at(time.Hour), LastUsed: at(2 * time.Minute)},
		{Hash: "t0", User: "王", CreatedAt: at(0)}, // no prefix, no expiry: a token of before
	}
	for _, tk := range toks {
		if err := e.s.PutToken(e.ctx, tk); err != nil {
			t.Fatalf("PutToken: %v", err)
		}
	}
	same := func(what string, got, want store.Token) {
		t.Helper()
		if got.Hash != want.Hash || got.User != want.User || got.Prefix != want.Prefix ||
			!sameTime(got.CreatedAt, want.CreatedAt) || !sameTime(got.Expires, want.Expires) || !sameTime(got.LastUsed, want.LastUsed) {
			t.Errorf("%s: Token = %+v, want %+v", what, got, want)
		}
	}
	for _, want := range toks {
		got, err := e.s.Token(e.ctx, want.Hash)
		if err != nil {
			t.Fatalf("Token: %v", err)
		}
		same("Token", got, want)
	}
	// A user's tokens, oldest first (same instant: by hash), nobody else's.
	list, err := e.s.Tokens(e.ctx, "王")
	if err != nil {
		t.Fatalf("Tokens: %v", err)
	}
	if len(list) != 3 {
		t.Fatalf("Tokens(王) = %+v, want t0, t1, t3", list)
	}
	for i, want := range []store.Token{toks[3], toks[1], toks[0]} {
		same("listed", list[i], want)
	}
	// An expired token is still stored (its holder sees it listed); the
	// caller's clock decides.
	if got, err := e.s.Token(e.ctx, "t3"); err != nil || got.Live(at(time.Hour)) || !got.Live(at(time.Hour-time.Millisecond)) {
		t.Errorf("Token(t3) = %+v, %v; want it stored, live until at(1h)", got, err)
	}

	// A use is noted, and nothing else of the token changes.
	if err := e.s.TouchToken(e.ctx, "t3", at(30*time.Minute)); err != nil {
		t.Fatalf("TouchToken: %v", err)
	}
	touched := toks[0]
	touched.LastUsed = at(30 * time.Minute)
	if got, err := e.s.Token(e.ctx, "t3"); err != nil {
		t.Fatalf("Token after TouchToken: %v", err)
	} else {
		same("touched", got, touched)
	}
	toks[0] = touched

	// Revoked: gone at once, the others stay.
	if err := e.s.DeleteToken(e.ctx, "t1"); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	if got, err := e.s.Token(e.ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token after DeleteToken = %+v, %v; want ErrNotFound", got, err)
	}
	if err := e.s.DeleteToken(e.ctx, "t1"); err != nil {
		t.Errorf("DeleteToken(already revoked) = %v, want nil", err)
	}
	// A use noted after the revocation (a request that read the token
	// just before) does not bring it back.
	if err := e.s.TouchToken(e.ctx, "t1", at(time.Hour)); err != nil {
		t.Errorf("TouchToken(revoked) = %v, want nil", err)
	}
	if got, err := e.s.Token(e.ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Token after touching a revoked one = %+v, %v; want ErrNotFound", got, err)
	}
	if list, err := e.s.Tokens(e.ctx, "王"); err != nil || len(list) != 2 || list[0].Hash != "t0" || list[1].Hash != "t3" {
		t.Errorf("Tokens after revoking t1 = %+v, %v; want t0, t3", list, err)
	}
	if _, err := e.s.Token(e.ctx, "t2"); err != nil {
		t.Errorf("another user's token after a revocation: %v", err)
	}
}

func (e *env) failure(key string, now time.Time, window time.Duration, want int) {
	e.t.Helper()
	if n, err := e.s.Failure(e.ctx, key, now, window); err != nil || n != want {
		e.t.Errorf("Failure(%s, %v) = %d, %v; want %d", key, now.Sub(t0), n, err, want)
	}
}

// Failed logins are counted over the window ending at the now given, which
// need not be the clock's.
func testFailures(t *testing.T, e *env) {
	const w = 15 * time.Minute
	e.failure("王", at(0), w, 1)
	e.failure("王", at(time.Minute), w, 2)
	e.failure("10.0.0.1", at(time.Minute), w, 1) // keys count apart
	e.failure("王", at(2*time.Minute), w, 3)
	// The window is (now-w, now]: the first failure has just left it.
	e.failure("王", at(w), w, 3)
	e.failure("王", at(w+2*time.Minute), w, 2) // the one at w, and this one
	e.failure("王", at(time.Hour), w, 1)       // everything before is older than the window

	if err := e.s.ClearFailures(e.ctx, "王"); err != nil {
		t.Fatalf("ClearFailures: %v", err)
	}
	e.failure("王", at(time.Hour+time.Second), w, 1)
	e.failure("10.0.0.1", at(2*time.Minute), w, 2) // not cleared with the other key
	if err := e.s.ClearFailures(e.ctx, "unknown"); err != nil {
		t.Errorf("ClearFailures(unknown) = %v, want nil", err)
	}
}

// Concurrent failures of one key, even in the same millisecond, are each
// counted once and each see their own count.
func testFailuresConcurrent(t *testing.T, e *env) {
	const n = 20
	now := time.Now()
	got := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = e.s.Failure(e.ctx, "王", now, time.Minute) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Failure %d: %v", i, err)
		}
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("%d concurrent Failure calls gave %v, want 1…%d each once", n, got, n)
		}
	}
}

// assigned reads a case through Case and through Cases, which must agree.
func (e *env) assigned(id, user string, updated time.Time) {
	e.t.Helper()
	k, err := e.s.Case(e.ctx, id)
	if err != nil {
		e.t.Fatalf("Case(%s): %v", id, err)
	}
	if k.Assignee != user || !sameTime(k.UpdatedAt, updated) {
		e.t.Errorf("Case(%s): assignee %q updated %v, want %q %v", id, k.Assignee, k.UpdatedAt, user, updated)
	}
	cs, err := e.s.Cases(e.ctx, store.CaseFilter{})
	if err != nil {
		e.t.Fatalf("Cases: %v", err)
	}
	for _, c := range cs {
		if c.ID == id && c != k {
			e.t.Errorf("Cases and Case disagree on %s:\n%+v\n%+v", id, c, k)
		}
	}
}

func testAssign(t *testing.T, e *env) {
	c1 := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	c2 := mkCase("JF20261127-0002", "o2", dispute.Referred, dispute.Family, "集安市", "b", at(time.Second))
	c2.Assignee = "李" // a case may be made already assigned
	e.commit(store.Change{NewCases: []dispute.Case{c1, c2}})
	e.assigned(c1.ID, "", c1.UpdatedAt)
	e.assigned(c2.ID, "李", c2.UpdatedAt)

	e.commit(store.Change{Assign: []store.Assignment{{CaseID: c1.ID, User: "王", At: at(time.Hour)}}})
	e.assigned(c1.ID, "王", at(time.Hour))
	e.assigned(c2.ID, "李", c2.UpdatedAt)

	// Reassigned, then taken back; other fields stay as they were.
	e.commit(store.Change{Assign: []store.Assignment{{CaseID: c1.ID, User: "李", At: at(2 * time.Hour)}}})
	e.assigned(c1.ID, "李", at(2*time.Hour))
	e.commit(store.Change{Assign: []store.Assignment{{CaseID: c1.ID, User: "", At: at(3 * time.Hour)}}})
	e.assigned(c1.ID, "", at(3*time.Hour))
	got, err := e.s.Case(e.ctx, c1.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	want := c1
	want.UpdatedAt = at(3 * time.Hour)
	checkCase(t, "after assignments", got, want)

	// With the rest of a Change, in the order given.
	e.commit(store.Change{
		Statuses: []store.StatusChange{{CaseID: c2.ID, To: dispute.Accepted, At: at(4 * time.Hour)}},
		Assign: []store.Assignment{{CaseID: c2.ID, User: "王", At: at(4 * time.Hour)},
			{CaseID: c1.ID, User: "王", At: at(5 * time.Hour)}, {CaseID: c1.ID, User: "赵", At: at(6 * time.Hour)}},
		Events: []dispute.Event{{CaseID: c2.ID, At: at(4 * time.Hour), Kind: dispute.Note, Actor: "user:admin", Text: "交给王"}},
	})
	e.assigned(c1.ID, "赵", at(6*time.Hour))
	e.assigned(c2.ID, "王", at(4*time.Hour))
	if k, _ := e.s.Case(e.ctx, c2.ID); k.Status != dispute.Accepted {
		t.Errorf("status with an assignment = %s, want accepted", k.Status)
	}
	byBody, err := e.s.Cases(e.ctx, store.CaseFilter{Body: "b", Status: dispute.Accepted})
	if err != nil || len(byBody) != 1 || byBody[0].Assignee != "王" {
		t.Errorf("Cases(body, accepted) = %+v, %v; want c2 assigned to 王", byBody, err)
	}
}

// An assignment of an unknown case refuses the whole Change, its dedup key
// included.
func testAssignUnknown(t *testing.T, e *env) {
	c := mkCase("JF20261127-0001", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.held("o1", "held", at(0))
	nc := mkCase("JF20261127-0002", "o1", dispute.Received, dispute.Labor, "东昌区", "b", at(0))
	ids, cases, keys := []string{"o1"}, []string{c.ID, nc.ID}, []string{"k"}
	before := e.snapshot(ids, cases, keys)

	ch := fullChange("k", "o1", 0, nc, c.ID)
	ch.Assign = []store.Assignment{{CaseID: c.ID, User: "王", At: at(time.Hour)}, {CaseID: "JF-unknown", User: "王", At: at(time.Hour)}}
	if err := e.s.Commit(e.ctx, ch); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Commit assigning an unknown case = %v, want ErrNotFound", err)
	}
	e.unchanged("a Commit assigning an unknown case", before, ids, cases, keys)

	ch.Assign = ch.Assign[:1]
	e.commit(ch) // the key was never taken
	e.assigned(c.ID, "王", at(time.Hour))
}

// An assignment is announced like any other change of a case, and a
// refused one is not.
func testAssignNotice(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	// Subscribed first: a notice may arrive some time after its Commit
	// returned (a Cluster relays it between nodes), so one published before
	// Subscribe could still turn up after it.
	ch, err := e.s.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	k := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{k}})
	if n := next(t, ch); n.CaseID != k.ID || !n.New {
		t.Fatalf("notice %+v, want one of the new case %s", n, k.ID)
	}
	_ = e.s.Commit(e.ctx, store.Change{Assign: []store.Assignment{{CaseID: "JF-unknown", User: "王", At: at(time.Hour)}}})
	e.commit(store.Change{Assign: []store.Assignment{{CaseID: k.ID, User: "王", At: at(time.Hour)}}})
	if n := next(t, ch); n.CaseID != k.ID || n.New {
		t.Fatalf("notice %+v, want one of a change to %s", n, k.ID)
	}
	select {
	case n := <-ch:
		t.Fatalf("unexpected notice %+v", n)
	case <-time.After(100 * time.Millisecond):
	}
}

// Users, sessions, tokens, failure counts and assignments are there after
// Close and a new open.
func testConsolePersistence(t *testing.T, e *env) {
	now := at(0)
	u := store.User{Name: "王", Display: "王小明", Role: store.RoleMediator, Body: "b", PasswordHash: "$2a$10$w", Disabled: true, SessionsAfter: at(time.Hour), CreatedAt: at(0)}
	se := store.Session{IDHash: "h1", User: "王", CSRF: "c1", Expires: now.Add(time.Hour)}
	tk := store.Token{Hash: "t1", User: "王", Prefix: "jft_x", CreatedAt: at(0), Expires: at(time.Hour)}
	if err := e.s.PutUser(e.ctx, u); err != nil {
		t.Fatalf("PutUser: %v", err)
	}
	if err := e.s.PutSession(e.ctx, se, now); err != nil {
		t.Fatalf("PutSession: %v", err)
	}
	if err := e.s.PutToken(e.ctx, tk); err != nil {
		t.Fatalf("PutToken: %v", err)
	}
	e.failure("王", now, time.Hour, 1)
	e.failure("王", now, time.Hour, 2)
	c := mkCase("JF20261127-0001", "o1", dispute.Referred, dispute.Labor, "东昌区", "b", at(0))
	e.commit(store.Change{NewCases: []dispute.Case{c}})
	e.commit(store.Change{Assign: []store.Assignment{{CaseID: c.ID, User: "王", At: at(time.Hour)}}})

	e.reopen()

	if got, err := e.s.User(e.ctx, u.Name); err != nil {
		t.Errorf("User after reopen: %v", err)
	} else {
		checkUser(t, "user after reopen", got, u)
	}
	if got, err := e.s.Session(e.ctx, se.IDHash, now); err != nil || got.User != se.User || got.CSRF != se.CSRF ||
		!sameTime(got.Expires, se.Expires) {
		t.Errorf("Session after reopen = %+v, %v; want %+v", got, err, se)
	}
	if got, err := e.s.Token(e.ctx, tk.Hash); err != nil || got.User != tk.User || got.Prefix != tk.Prefix || !sameTime(got.Expires, tk.Expires) {
		t.Errorf("Token after reopen = %+v, %v; want %+v", got, err, tk)
	}
	if list, err := e.s.Tokens(e.ctx, "王"); err != nil || len(list) != 1 {
		t.Errorf("Tokens after reopen = %+v, %v; want the one", list, err)
	}
	e.failure("王", now, time.Hour, 3)
	e.assigned(c.ID, "王", at(time.Hour))
}
