package routing

import (
	"slices"
	"testing"
)

// TestDetectRegion holds the built-in 通化市 to the forms citizens use.
func TestDetectRegion(t *testing.T) {
	cases := []struct{ text, want string }{
		// Full names and names without 区/县/市.
		{"我是梅河口市的", "梅河口市"},
		{"梅河口", "梅河口市"},
		{"在梅河打工", "梅河口市"},
		{"集安", "集安市"},
		{"柳河", "柳河县"},
		{"辉南县", "辉南县"},
		{"辉南", "辉南县"},
		{"二道江", "二道江区"},
		{"东昌", "东昌区"},
		{"通化市东昌区", "东昌区"},
		{"通化县", "通化县"},
		{"我家在通化县城里住", "通化县"},
		{"東昌區", "东昌区"}, // Traditional characters

		// Townships, street offices and landmarks.
		{"集安清河镇", "集安市"},
		{"俺是太王镇的", "集安市"},
		{"快大茂", "通化县"},
		{"英额布镇那边", "通化县"},
		{"朝阳镇", "辉南县"},
		{"样子哨", "辉南县"},
		{"柳河三源浦", "柳河县"},
		{"红石镇", "柳河县"},
		{"凉水河子", "柳河县"},
		{"凉水乡", "集安市"},
		{"山城镇", "梅河口市"},
		{"海龙镇", "梅河口市"},
		{"住在新站街道", "东昌区"},
		{"老站那边", "东昌区"},
		{"二道江区五道江镇", "二道江区"},
		{"东通化街道", "二道江区"},
		{"鸭园镇", "二道江区"},

		// The city itself, other places and nothing at all.
		{"通化市", ""},
		{"通化", ""},
		{"我在通化", ""},
		{"北京朝阳区", ""},
		{"我叫王海龙", ""},
		{"你好", ""},
		{"", ""},

		// The first mention wins.
		{"家是柳河的 在梅河口打工", "柳河县"},
	}
	city := Builtin().City()
	for _, c := range cases {
		if got := city.Detect(c.text); got != c.want {
			t.Errorf("Detect(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestBuiltinCity checks the built-in city's data: the seven regions in
// the order offered to citizens, each recognised by its own name, and
// every alias and place recognised as its region.
func TestBuiltinCity(t *testing.T) {
	city := Builtin().City()
	want := []string{"东昌区", "二道江区", "通化县", "辉南县", "柳河县", "梅河口市", "集安市"}
	if city.Name() != "通化市" || !slices.Equal(city.Names(), want) {
		t.Fatalf("city %s %v, want 通化市 %v", city.Name(), city.Names(), want)
	}
	for _, r := range city.Regions() {
		if !city.Valid(r.Name) {
			t.Errorf("Valid(%q) = false", r.Name)
		}
		for _, s := range append(append([]string{r.Name}, r.Aliases...), r.Places...) {
			if got := city.Detect(s); got != r.Name {
				t.Errorf("Detect(%q) = %q, want %s", s, got, r.Name)
			}
			if normalize(s) != s {
				t.Errorf("%q is not in normalised form", s)
			}
		}
	}
	for _, s := range []string{"", "通化", "通化市", "东昌"} {
		if city.Valid(s) {
			t.Errorf("Valid(%q) = true", s)
		}
	}
}
