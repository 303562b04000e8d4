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
