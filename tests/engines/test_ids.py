import pickle
import uuid

from agentshield.engines.ids import uuid7


def test_uuid7_is_version_7_and_sorts_by_time() -> None:
    ids = [uuid7() for _ in range(2000)]
    assert all(u.version == 7 and u.variant == "specified in RFC 4122" for u in ids)
    assert len(set(ids)) == len(ids)
    # Same-millisecond ids are random in their low bits; across milliseconds they sort.
    stamps = [u.int >> 80 for u in ids]
    assert stamps == sorted(stamps)


def test_uuid7_is_the_uuid_its_text_names() -> None:
    made = uuid7()
    parsed = uuid.UUID(str(made))
    assert made == parsed and hash(made) == hash(parsed) and made.is_safe == parsed.is_safe
    assert pickle.loads(pickle.dumps(made)) == made
    assert made <= parsed and not made < parsed  # ordered by value, as UUIDs are
