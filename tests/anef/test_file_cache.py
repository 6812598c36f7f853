"""The embedded default's file cache (anef.cache.FileCache): Django's, culled once per set_many."""

from unittest import mock

import pytest

from anef.cache import FileCache


@pytest.fixture
def file_cache(tmp_path):
    return FileCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 10}})


def _entries(cache: FileCache) -> int:
    return len(cache._list_cache_files())


def test_set_many_lists_the_cache_directory_once_for_all_its_keys(file_cache):
    with mock.patch.object(
        FileCache, "_list_cache_files", autospec=True, side_effect=lambda self: []
    ) as listing:
        file_cache.set_many({f"generation:{n}": n for n in range(40)})
    assert listing.call_count == 1


def test_set_many_stores_every_key(file_cache):
    values = {f"generation:{n}": n for n in range(40)}
    file_cache.set_many(values)
    assert file_cache.get_many(values.keys()) == values


def test_set_many_makes_room_first_when_the_cache_is_full(file_cache):
    file_cache.set_many({f"old:{n}": n for n in range(30)})
    assert _entries(file_cache) == 30
    file_cache.set_many({"new": 1})
    assert _entries(file_cache) < 31  # a third of the 30 culled before writing
    assert file_cache.get("new") == 1


def test_a_single_set_after_set_many_still_culls_as_django_does(file_cache):
    file_cache.set_many({f"old:{n}": n for n in range(30)})
    with mock.patch.object(FileCache, "_list_cache_files", autospec=True, return_value=[]) as ls:
        file_cache.set("one", 1)
    assert ls.call_count == 1


def test_culling_resumes_after_a_failed_set_many(file_cache):
    with (
        mock.patch.object(FileCache, "_write_content", side_effect=OSError("disk full")),
        pytest.raises(OSError),
    ):
        file_cache.set_many({"a": 1, "b": 2})
    assert file_cache._cull_deferred is False
