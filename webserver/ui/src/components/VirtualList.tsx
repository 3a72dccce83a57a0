// A list that renders only the rows in view (plus a margin), so 5,000 jobs or 50,000 log lines
// scroll without lag. Rows have one fixed height; the list is a keyboard-scrollable region.
import { useEffect, useRef, useState, type ReactNode } from "react";

type Props<T> = {
  items: T[];
  rowHeight: number;
  height: number | string;
  label: string;
  renderRow: (item: T, index: number) => ReactNode;
  overscan?: number;
};

export function VirtualList<T>({ items, rowHeight, height, label, renderRow, overscan = 10 }: Props<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setViewport(element.clientHeight || 600);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return (
    <div ref={ref} className="virtual-list" style={{ height, overflowY: "auto" }} tabIndex={0} role="region"
      aria-label={label} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      <div style={{ height: items.length * rowHeight, position: "relative" }} role="list">
        {items.slice(first, last).map((item, offset) => (
          <div key={first + offset} role="listitem" style={{ position: "absolute", top: (first + offset) * rowHeight, height: rowHeight, left: 0, right: 0 }}>
            {renderRow(item, first + offset)}
          </div>
        ))}
      </div>
    </div>
  );
}
