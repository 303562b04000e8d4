package redisstore

import (
	"fmt"
	"strconv"
	"time"

	"jiefen/store"
)

// record reads a hash (HGETALL, or a script's {field, value, …} reply)
// field by field, keeping the first field that does not parse: the
// numbers are all written by this package, so one that does not parse is
// damage worth an error, not a zero.
type record struct {
	m   map[string]string
	err error
}

// pairs makes a record of a script's flat {field, value, …} reply.
func pairs(v []any) (*record, error) {
	if len(v)%2 != 0 {
		return nil, fmt.Errorf("odd field list of %d", len(v))
	}
	m := make(map[string]string, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		f, ok1 := v[i].(string)
		val, ok2 := v[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("field %d: not a string", i/2)
		}
		m[f] = val
	}
	return &record{m: m}, nil
}

func (r *record) str(f string) string { return r.m[f] }

func (r *record) int(f string) int64 {
	v, err := strconv.ParseInt(r.m[f], 10, 64)
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("field %s: %w", f, err)
	}
	return v
}

func (r *record) time(f string) time.Time { return store.FromUnixMS(r.int(f)) }

// optTime reads a time field that records written before the field existed
// lack: absent is the zero time, present but unparsable still an error.
func (r *record) optTime(f string) time.Time {
	if _, ok := r.m[f]; !ok {
		return time.Time{}
	}
	return r.time(f)
}

// idRecord splits a script's {id, field, value, …} answer (an outbound item,
// a referral) into its id and fields; what names it in errors.
func idRecord(v any, what string) (int64, *record, error) {
	a, _ := v.([]any)
	if len(a) == 0 {
		return 0, nil, fmt.Errorf("empty %s", what)
	}
	var id int64
	switch x := a[0].(type) {
	case int64:
		id = x
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, nil, fmt.Errorf("%s id %q: %w", what, x, err)
		}
		id = n
	default:
		return 0, nil, fmt.Errorf("%s id of type %T", what, a[0])
	}
	r, err := pairs(a[1:])
	if err != nil {
		return 0, nil, fmt.Errorf("%s %d: %w", what, id, err)
	}
	return id, r, nil
}

// decodeAll decodes each of a script's answers with one.
func decodeAll[T any](res []any, one func(any) (T, error)) ([]T, error) {
	out := make([]T, 0, len(res))
	for _, v := range res {
		x, err := one(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}
