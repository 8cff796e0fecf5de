package templates

import "testing"

func TestGenitiveOfKreisAndStadt(t *testing.T) {
	for _, c := range []struct{ kind, name, want string }{
		{"kreis", "Kreis Musterland", "des Kreises Musterland"},
		{"kreis", "Kreis Gütersloh", "des Kreises Gütersloh"},
		{"kreis", "Rhein-Kreis Neuss", "des Rhein-Kreises Neuss"},
		{"kreis", "Hochsauerlandkreis", "des Hochsauerlandkreises"},
		{"kreis", "Ennepe-Ruhr-Kreis", "des Ennepe-Ruhr-Kreises"},
		{"kreis", "Städteregion Aachen", "der Städteregion Aachen"},
		{"kreis", "Lippe", "des Kreises Lippe"},
		{"kreisfreie_stadt", "Stadt Beispielhausen", "der Stadt Beispielhausen"},
		{"kreisfreie_stadt", "Bundesstadt Bonn", "der Bundesstadt Bonn"},
		{"kreisfreie_stadt", "Landeshauptstadt Düsseldorf", "der Landeshauptstadt Düsseldorf"},
		{"kreisfreie_stadt", "Bielefeld", "der Stadt Bielefeld"},
		{"kreisfreie_stadt", " Stadt Köln ", "der Stadt Köln"},
	} {
		if got := genitive(c.kind, c.name); got != c.want {
			t.Errorf("genitive(%q, %q) = %q, want %q", c.kind, c.name, got, c.want)
		}
	}
}

func TestPluralNamesOneInTheSingular(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 Bewertungsbögen"}, {1, "1 Bewertungsbogen"}, {2, "2 Bewertungsbögen"}, {11, "11 Bewertungsbögen"}} {
		if got := plural(c.n, "Bewertungsbogen", "Bewertungsbögen"); got != c.want {
			t.Errorf("plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestRequiredIfAndDateFieldValues(t *testing.T) {
	if requiredIf(true) != "required" || requiredIf(false) != "" {
		t.Fatal("requiredIf")
	}
	form := &Form{Values: map[string][]string{"a": {"1.1.2020"}, "b": {"2020-01-01"}}}
	if f := fld(form, "a", "A", "type=date", requiredIf(false)); f.Value != "" || f.Required {
		t.Errorf("a non-ISO date is echoed into a date field (%q) or the field is required", f.Value)
	}
	if f := fld(form, "b", "B", "type=date", requiredIf(true)); f.Value != "2020-01-01" || !f.Required {
		t.Errorf("ISO date %q, required %v", f.Value, f.Required)
	}
}
