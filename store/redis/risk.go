package redisstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"jiefen/store"
)

// The risk early warning (store.Risk), in the transaction slot:
//
//	T+"rk:m:"+caseID    string  a case's mark (store.EncodeRiskMark)
//	T+"rk:s:"+subject   zset    case id → filed at (ms): the subject index
//	T+"rk:o:"+citizen   zset    case id → filed at (ms): the citizen index
//	T+"al:"+id          hash    an alert: v (version), key, status, rec (store.EncodeAlert)
//	T+"n:al"            string  the alert id counter (INCR)
//	T+"alx"             zset    every alert id, score the id
//	T+"alk:"+key        zset    the alerts of a cluster key, likewise
//	T+"alo"             hash    cluster key → its open alert's id
//	T+"alc:"+caseID     set     the alerts holding a case
//
// An alert is saved by one script (lua/alertsave.lua) rather than with
// WATCH/MULTI: the check (the key has no open alert, or the version is the
// one read) and the writes run atomically on the server in one round
// trip, with no retry loop of optimistic transactions between instances,
// and the audit entries share the script's atomicity through audit.lua,
// as Commit's do. A mark is written alone (one MULTI of three commands).

func (k keys) riskMark(id string) string     { return k.t + "rk:m:" + id }
func (k keys) riskSubject(s string) string   { return k.t + "rk:s:" + s }
func (k keys) riskCitizen(c string) string   { return k.t + "rk:o:" + c }
func (k keys) riskLink(l string) string      { return k.t + "rk:l:" + l }
func (k keys) alert(id string) string        { return k.t + "al:" + id }
func (k keys) alertSeq() string              { return k.t + "n:al" }
func (k keys) alertIndex() string            { return k.t + "alx" }
func (k keys) alertsOfKey(key string) string { return k.t + "alk:" + key }
func (k keys) openAlerts() string            { return k.t + "alo" }
func (k keys) alertsOfCase(id string) string { return k.t + "alc:" + id }

// PutRiskMark writes the mark and its index entries in one MULTI. A
// subject or citizen that changed leaves an old index entry behind, which
// the readers skip (the mark no longer matches).
func (s *Store) PutRiskMark(ctx context.Context, m store.RiskMark) error {
	at := float64(store.UnixMS(m.At))
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.k.riskMark(m.CaseID), store.EncodeRiskMark(m), 0)
		if m.Subject != "" {
			p.ZAdd(ctx, s.k.riskSubject(m.Subject), redis.Z{Score: at, Member: m.CaseID})
		}
		p.ZAdd(ctx, s.k.riskCitizen(m.Citizen), redis.Z{Score: at, Member: m.CaseID})
		if m.Link != "" {
			p.ZAdd(ctx, s.k.riskLink(m.Link), redis.Z{Score: at, Member: m.CaseID})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("redis: risk mark of %s: %w", m.CaseID, err)
	}
	return nil
}

// RiskMarks is one MGET.
func (s *Store) RiskMarks(ctx context.Context, ids []string) (map[string]store.RiskMark, error) {
	out := map[string]store.RiskMark{}
	ms, err := s.marksOf(ctx, ids)
	for _, m := range ms {
		out[m.CaseID] = m
	}
	return out, err
}

func (s *Store) marksOf(ctx context.Context, ids []string) ([]store.RiskMark, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.k.riskMark(id)
	}
	vs, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: risk marks: %w", err)
	}
	var out []store.RiskMark
	for _, v := range vs {
		str, ok := v.(string)
		if !ok {
			continue
		}
		m, err := store.DecodeRiskMark(str)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// MarksOfSubject is a ZRANGEBYSCORE of the subject index, then one MGET.
func (s *Store) MarksOfSubject(ctx context.Context, subject string, from, to time.Time) ([]store.RiskMark, error) {
	if subject == "" {
		return nil, nil
	}
	ms, err := s.marksInRange(ctx, s.k.riskSubject(subject), from, to)
	return slices.DeleteFunc(ms, func(m store.RiskMark) bool { return m.Subject != subject }), err
}

// ActiveSubjects is one pipeline of ZCOUNTs of the subject index.
func (s *Store) ActiveSubjects(ctx context.Context, keys []string, from, to time.Time) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	lo, hi := strconv.FormatInt(store.UnixMS(from), 10), strconv.FormatInt(store.UnixMS(to), 10)
	cmds := make([]*redis.IntCmd, len(keys))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.ZCount(ctx, s.k.riskSubject(k), lo, hi)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis: active subjects: %w", err)
	}
	var out []string
	for i, c := range cmds {
		if c.Val() > 0 {
			out = append(out, keys[i])
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// MarksOfCitizen is a ZRANGEBYSCORE of the citizen index, then one MGET.
func (s *Store) MarksOfCitizen(ctx context.Context, citizen string, from, to time.Time) ([]store.RiskMark, error) {
	ms, err := s.marksInRange(ctx, s.k.riskCitizen(citizen), from, to)
	return slices.DeleteFunc(ms, func(m store.RiskMark) bool { return m.Citizen != citizen }), err
}

// MarksLinkedTo is a ZRANGEBYSCORE of the link index, then one MGET.
func (s *Store) MarksLinkedTo(ctx context.Context, key string, from, to time.Time) ([]store.RiskMark, error) {
	if key == "" {
		return nil, nil
	}
	ms, err := s.marksInRange(ctx, s.k.riskLink(key), from, to)
	return slices.DeleteFunc(ms, func(m store.RiskMark) bool { return m.Link != key }), err
}

func (s *Store) marksInRange(ctx context.Context, index string, from, to time.Time) ([]store.RiskMark, error) {
	ids, err := s.rdb.ZRangeByScore(ctx, index, &redis.ZRangeBy{
		Min: strconv.FormatInt(store.UnixMS(from), 10), Max: strconv.FormatInt(store.UnixMS(to), 10)}).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: risk marks: %w", err)
	}
	ms, err := s.marksOf(ctx, ids)
	slices.SortStableFunc(ms, func(a, b store.RiskMark) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.CaseID, b.CaseID)
	})
	return ms, err
}

// SaveAlert is one script (lua/alertsave.lua).
func (s *Store) SaveAlert(ctx context.Context, a store.Alert, audit []store.AuditEntry) (store.Alert, error) {
	type auditArg struct {
		At     int64  `json:"at"`
		Rec    string `json:"rec"`
		User   string `json:"user"`
		Case   string `json:"case"`
		Action string `json:"action"`
	}
	doc := struct {
		ID     string     `json:"id"`
		Was    string     `json:"was"`
		Key    string     `json:"key"`
		Status string     `json:"status"`
		Rec    string     `json:"rec"`
		Cases  []string   `json:"cases"`
		Audit  []auditArg `json:"audit"`
	}{ID: a.ID, Was: strconv.FormatInt(a.Version, 10), Key: a.Key, Status: a.Status, Rec: store.EncodeAlert(a),
		Cases: a.Cases, Audit: []auditArg{}}
	if doc.Cases == nil {
		doc.Cases = []string{}
	}
	for _, e := range audit {
		rec, err := auditJSON(e)
		if err != nil {
			return store.Alert{}, fmt.Errorf("redis: save alert: audit: %w", err)
		}
		doc.Audit = append(doc.Audit, auditArg{At: store.UnixMS(e.At), Rec: string(rec), User: e.User, Case: e.CaseID, Action: e.Action})
	}
	arg, err := json.Marshal(doc)
	if err != nil {
		return store.Alert{}, fmt.Errorf("redis: save alert: %w", err)
	}
	res, err := alertSaveScript.Run(ctx, s.rdb, []string{s.k.alertSeq()}, s.k.t, s.k.notices(), arg).StringSlice()
	if err != nil {
		return store.Alert{}, fmt.Errorf("redis: save alert: %w", err)
	}
	switch res[0] {
	case "conflict":
		return store.Alert{}, fmt.Errorf("redis: save alert %s: %w", a.ID, store.ErrConflict)
	case "notfound":
		return store.Alert{}, fmt.Errorf("redis: save alert %s: %w", a.ID, store.ErrNotFound)
	}
	a.ID = res[1]
	if a.Version, err = strconv.ParseInt(res[2], 10, 64); err != nil {
		return store.Alert{}, fmt.Errorf("redis: save alert: version %q", res[2])
	}
	return a, nil
}

// OpenAlert is an HGET of the open index, then the alert.
func (s *Store) OpenAlert(ctx context.Context, key string) (store.Alert, error) {
	id, err := s.rdb.HGet(ctx, s.k.openAlerts(), key).Result()
	if err != nil {
		return store.Alert{}, wrap(err, "open alert")
	}
	return s.Alert(ctx, id)
}

// Alert is one HMGET.
func (s *Store) Alert(ctx context.Context, id string) (store.Alert, error) {
	as, err := s.alerts(ctx, []string{id})
	if err != nil {
		return store.Alert{}, err
	}
	if len(as) == 0 {
		return store.Alert{}, fmt.Errorf("redis: alert %s: %w", id, store.ErrNotFound)
	}
	return as[0], nil
}

func (s *Store) alerts(ctx context.Context, ids []string) ([]store.Alert, error) {
	cmds := make([]*redis.SliceCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, s.k.alert(id), "v", "rec")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("redis: alerts: %w", err)
	}
	var out []store.Alert
	for i, c := range cmds {
		vs := c.Val()
		v, ok1 := vs[0].(string)
		rec, ok2 := vs[1].(string)
		if !ok1 || !ok2 {
			continue
		}
		a, err := store.DecodeAlert(rec)
		if err != nil {
			return nil, err
		}
		a.ID = ids[i]
		if a.Version, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("redis: alert %s: version %q", ids[i], v)
		}
		out = append(out, a)
	}
	return out, nil
}

// Alerts reads the ids of the narrowest index, newest first, then the
// alerts in one pipeline, filtering here: a city has alerts by the
// hundred, not the million.
func (s *Store) Alerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error) {
	var ids []string
	var err error
	switch {
	case f.CaseID != "":
		ids, err = s.rdb.SMembers(ctx, s.k.alertsOfCase(f.CaseID)).Result()
	case f.Key != "":
		ids, err = s.rdb.ZRevRange(ctx, s.k.alertsOfKey(f.Key), 0, -1).Result()
	default:
		ids, err = s.rdb.ZRevRange(ctx, s.k.alertIndex(), 0, -1).Result()
	}
	if err != nil {
		return nil, fmt.Errorf("redis: alerts: %w", err)
	}
	as, err := s.alerts(ctx, ids)
	if err != nil {
		return nil, err
	}
	as = slices.DeleteFunc(as, func(a store.Alert) bool {
		return (f.Status != "" && a.Status != f.Status) || (f.Key != "" && a.Key != f.Key)
	})
	slices.SortStableFunc(as, func(a, b store.Alert) int {
		x, _ := strconv.ParseInt(a.ID, 10, 64)
		y, _ := strconv.ParseInt(b.ID, 10, 64)
		return int(y - x)
	})
	if f.Limit > 0 && len(as) > f.Limit {
		as = as[:f.Limit]
	}
	return as, nil
}
