from circlekeep.accounts.forms import ProfileForm
from circlekeep.lib.widgets import FastSelect


def test_the_time_zone_list_marks_the_persons_zone():
    html = str(ProfileForm(initial={"time_zone": "America/Mexico_City"})["time_zone"])
    assert html.count(" selected") == 1
    assert '<option value="America/Mexico_City" selected>America/Mexico City</option>' in html
    assert 'id="id_time_zone"' in html and 'name="time_zone"' in html


def test_options_are_escaped():
    widget = FastSelect(choices=[("a\"><script>", "<b>x</b>")])
    html = widget.render("field", 'a"><script>')
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and " selected" in html
