"""The dashboard on the real seed projects: its counts link to the same projects in the list."""
import re


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count(response) -> int:
    return int(re.search(r"共 <strong>(\d+)</strong> 个项目", _text(response)).group(1))


def test_dashboard_counts_link_to_the_same_projects(client, seeded):
    page = _text(client.get("/?as_of=2026-09-30"))
    links = re.findall(r'<a class="count-(?:red|yellow)" href="([^"]+)">(\d+)</a>', page)
    assert links, "regions with warnings link to the filtered list"
    for href, count in links:
        assert _count(client.get(href.replace("&amp;", "&"))) == int(count)
    assert re.search(r'<svg class="chart"', page) and page.count("<rect") >= 2 * 7
