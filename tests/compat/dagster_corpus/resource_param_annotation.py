"""ResourceParam for a plain object as a typed op parameter, next to context.resources."""
from dagster import Definitions, ResourceParam, job, op


class Inventory:
    def __init__(self, items):
        self.items = items


@op
def list_items(context, inventory: ResourceParam[Inventory]):
    context.log.info(f"{len(inventory.items)} items")
    return sorted(inventory.items)


@op(required_resource_keys={"inventory"})
def first_item(context, items):
    return items[0] if context.resources.inventory.items else None


@job
def inventory_job():
    first_item(list_items())


defs = Definitions(jobs=[inventory_job], resources={"inventory": Inventory(["pear", "apple"])})

CASES = [{"job": "inventory_job"}]
