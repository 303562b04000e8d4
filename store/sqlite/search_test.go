package sqlite

import (
	"slices"
	"testing"

	"jiefen/internal/testdate"
	"jiefen/store"
)

// TestMigrateSearch: the step that adds the search index fills it with the
// cases and threads stored before it, their searchable text only.
func TestMigrateSearch(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaSearch")
	ms := testdate.At("w-1 Fri 09:00").UnixMilli()
	for _, q := range []string{
		`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at)
			VALUES ('JF1', 'received', 'labor', 0, '东昌区', 'bodyA', 'r', '欠薪', '老板拖欠工资', 'o1', '', ?1, ?1),
			('JF2', 'received', 'labor', 0, '东昌区', 'bodyA', 'r', '', '房东不退押金', 'o2', '', ?1, ?1)`,
		`INSERT INTO events (case_id, at, kind, actor, text, media_id, status, body) VALUES
			('JF2', ?1, 'message_in', 'o2', '李四可以作证', '', '', ''),
			('JF2', ?1, 'message_out', 'bot', '您的案件已受理', '', '', '')`,
	} {
		if _, err := s.w.Exec(q, ms); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for q, want := range map[string][]string{"工资": {"JF1"}, "李四": {"JF2"}, "押金": {"JF2"}, "受理": nil} {
		got, err := s.Cases(t.Context(), store.CaseFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range got {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, want) {
			t.Errorf("search %q after the migration = %v, want %v", q, ids, want)
		}
	}
}

// TestMigrateSearchFast: the step that keys the search by case and by
// numbers reversed finds, after it, what was stored before it: words of
// stories and threads (within a body too), case numbers and phone
// numbers by their end; an anonymised case by none of them.
func TestMigrateSearchFast(t *testing.T) {
	dir := t.TempDir()
	s := openBefore(t, dir, "schemaSearchFast")
	ms := testdate.At("w-1 Fri 09:00").UnixMilli()
	for _, q := range []string{
		`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at)
			VALUES ('JF20261127-0001', 'received', 'labor', 0, '东昌区', 'bodyA', 'r', '欠薪', '老板拖欠工资', 'o1', '13812345678', ?1, ?1),
			('JF20261127-0002', 'received', 'labor', 0, '东昌区', 'bodyB', 'r', '', '房东不退押金也欠工资', 'o2', '13912345678', ?1 + 1, ?1)`,
		`INSERT INTO cases (id, status, type, urgent, region, body, rule, summary, story, openid, phone, created_at, updated_at, anonymized_at)
			VALUES ('JF20261127-0003', 'received', 'labor', 0, '东昌区', 'bodyA', 'r', '', '', '', '', ?1 + 2, ?1, ?1)`,
		`INSERT INTO events (case_id, at, kind, actor, text, media_id, status, body) VALUES
			('JF20261127-0002', ?1, 'message_in', 'o2', '李四可以作证', '', '', ''),
			('JF20261127-0002', ?1, 'message_out', 'bot', '您的案件已受理', '', '', '')`,
	} {
		if _, err := s.w.Exec(q, ms); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		f    store.CaseFilter
		want []string
	}{
		{store.CaseFilter{Query: "工资"}, []string{"JF20261127-0002", "JF20261127-0001"}},
		{store.CaseFilter{Query: "工资", Body: "bodyA"}, []string{"JF20261127-0001"}},
		{store.CaseFilter{Query: "李四"}, []string{"JF20261127-0002"}},
		{store.CaseFilter{Query: "受理"}, nil},
		{store.CaseFilter{Query: "27-0001"}, []string{"JF20261127-0001"}},
		{store.CaseFilter{Query: "jf20261127-0002"}, []string{"JF20261127-0002"}},
		{store.CaseFilter{Query: "0003"}, []string{"JF20261127-0003"}},
		{store.CaseFilter{Query: "5678", QueryPhones: "bodyA"}, []string{"JF20261127-0001"}},
		{store.CaseFilter{Query: "13912345678", QueryPhones: "bodyA"}, nil},
		{store.CaseFilter{Query: "13912345678", QueryPhones: "bodyB"}, []string{"JF20261127-0002"}},
	} {
		got, err := s.Cases(t.Context(), c.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, k := range got {
			ids = append(ids, k.ID)
		}
		if !slices.Equal(ids, c.want) {
			t.Errorf("Cases(%q, body %q, phones %q) after the migration = %v, want %v", c.f.Query, c.f.Body, c.f.QueryPhones, ids, c.want)
		}
	}
}
