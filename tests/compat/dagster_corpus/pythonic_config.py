"""Config classes as op parameters: defaults, descriptions, enums, Optional, lists and dicts."""
import enum
from typing import Optional

from dagster import Config, job, op
from pydantic import Field


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class PaintConfig(Config):
    wall: str = Field(description="Which wall to paint")
    coats: int = 2
    color: Color = Color.RED
    primer: Optional[str] = None
    rooms: list[str] = ["hall"]
    prices: dict[str, float] = {}
    dry_run: bool = False


@op
def paint(context, config: PaintConfig):
    context.log.info(f"painting {config.wall} {config.color.name} x{config.coats}")
    return repr(config)


@job
def paint_job():
    paint()


CASES = [
    {"job": "paint_job", "run_config": {"ops": {"paint": {"config": {"wall": "north"}}}}},
    {"job": "paint_job", "run_config": {"ops": {"paint": {"config": {
        "wall": "south", "coats": 3, "color": "BLUE", "primer": "white", "rooms": ["a", "b"],
        "prices": {"paint": 9.5}, "dry_run": True}}}}},
    {"job": "paint_job", "run_config": {"ops": {"paint": {"config": {"coats": 1}}}}},
    {"job": "paint_job", "run_config": {"ops": {"paint": {"config": {
        "wall": "east", "color": "GREEN", "rooms": "hall", "typo": 1}}}}},
]


def in_process_check():
    """Config classes given as run config to execute_in_process."""
    result = paint_job.execute_in_process(run_config={"ops": {"paint": {"config": {"wall": "north", "coats": 4}}}})
    return {"success": result.success, "paint": result.output_for_node("paint")}
