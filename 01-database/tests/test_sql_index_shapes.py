"""Each index shape serves the query it was shaped for; EXPLAIN shows the plan change."""

import pytest
from sql_index_shapes import SHAPES, add_index, index_sizes, load_shop, plan_nodes


@pytest.fixture
def shop(engine):
    load_shop(engine, rows=20_000)
    return engine


@pytest.mark.parametrize(
    ("shape", "without", "with_index"),
    [
        ("partial", "Seq Scan", "Index Scan"),
        ("expression", "Seq Scan", "Index Scan"),
        # against the plain index on customer_id, which still visits the table
        ("covering", "Bitmap Heap Scan", "Index Only Scan"),
        ("gin", "Seq Scan", "Bitmap Index Scan"),
    ],
)
def test_the_shaped_index_changes_the_plan(shop, shape, without, with_index):
    query = SHAPES[shape][0]
    before = plan_nodes(shop, query)

    add_index(shop, shape)

    assert without in before and with_index not in before
    assert with_index in plan_nodes(shop, query)


def test_a_partial_index_is_a_fraction_of_the_full_index(shop):
    add_index(shop, "partial")

    sizes = index_sizes(shop)

    assert sizes["ix_orders_placed"] * 10 < sizes["ix_orders_placed_at_full"]
