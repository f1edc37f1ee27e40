"""AG Grid's own interface text (filters, sorting, screen-reader hints) in Vietnamese, for `localeText`.

AG Grid speaks English by default; these are the keys its community features use. Our own strings live in
`dashboard.core.i18n`; this is the grid vendor's vocabulary, kept apart so the catalogue stays ours.
`locale_text(lang)` is what a grid's `localeText` is in each language (the pseudo-locale marks every text).
"""

from __future__ import annotations

from types import MappingProxyType

from dashboard.core.i18n import PSEUDO, pseudo

AG_GRID_LOCALE_VI: MappingProxyType[str, str] = MappingProxyType(
    {
        # filter panel
        "filterOoo": "Lọc...",
        "searchOoo": "Tìm...",
        "selectAll": "(Chọn tất cả)",
        "blanks": "(Trống)",
        "noMatches": "Không có kết quả",
        "equals": "Bằng",
        "notEqual": "Khác",
        "blank": "Trống",
        "notBlank": "Không trống",
        "empty": "Chọn một",
        "lessThan": "Nhỏ hơn",
        "greaterThan": "Lớn hơn",
        "lessThanOrEqual": "Nhỏ hơn hoặc bằng",
        "greaterThanOrEqual": "Lớn hơn hoặc bằng",
        "inRange": "Trong khoảng",
        "inRangeStart": "Từ",
        "inRangeEnd": "Đến",
        "contains": "Chứa",
        "notContains": "Không chứa",
        "startsWith": "Bắt đầu bằng",
        "endsWith": "Kết thúc bằng",
        "before": "Trước",
        "after": "Sau",
        "andCondition": "VÀ",
        "orCondition": "HOẶC",
        "applyFilter": "Áp dụng",
        "resetFilter": "Đặt lại",
        "clearFilter": "Xóa",
        "cancelFilter": "Hủy",
        "textFilter": "Lọc chữ",
        "numberFilter": "Lọc số",
        "dateFilter": "Lọc ngày",
        "invalidNumber": "Số không hợp lệ",
        "invalidDate": "Ngày không hợp lệ",
        # overlays, paging, export
        "noRowsToShow": "Không có dòng nào",
        "noMatchingRows": "Không có dòng nào khớp",
        "loadingOoo": "Đang tải...",
        "loadingError": "LỖI",
        "exportingOoo": "Đang xuất...",
        "page": "Trang",
        "of": "trên",
        "to": "đến",
        "more": "thêm",
        "firstPage": "Trang đầu",
        "previousPage": "Trang trước",
        "nextPage": "Trang sau",
        "lastPage": "Trang cuối",
        "pageSizeSelectorLabel": "Số dòng mỗi trang:",
        "ariaPageSizeSelectorLabel": "Số dòng mỗi trang",
        # column menu
        "pinColumn": "Ghim cột",
        "pinLeft": "Ghim bên trái",
        "pinRight": "Ghim bên phải",
        "noPin": "Bỏ ghim",
        "autosizeThisColumn": "Tự chỉnh độ rộng cột này",
        "autosizeAllColumns": "Tự chỉnh độ rộng mọi cột",
        "resetColumns": "Đặt lại các cột",
        "sortAscending": "Sắp xếp tăng dần",
        "sortDescending": "Sắp xếp giảm dần",
        "sortUnSort": "Bỏ sắp xếp",
        "columnFilter": "Lọc cột",
        "csvExport": "Xuất CSV",
        "copy": "Sao chép",
        # numbers typed into filters
        "thousandSeparator": ".",
        "decimalSeparator": ",",
        # screen readers
        "ariaChecked": "đã chọn",
        "ariaUnchecked": "chưa chọn",
        "ariaIndeterminate": "chưa xác định",
        "ariaColumnFiltered": "Cột đang được lọc",
        "ariaFilterColumn": "Nhấn CTRL ENTER để mở bộ lọc",
        "ariaFilterFromValue": "Lọc từ giá trị",
        "ariaFilterInput": "Ô nhập bộ lọc",
        "ariaFilterMenuOpen": "Mở bộ lọc",
        "ariaFilterToValue": "Lọc đến giá trị",
        "ariaFilterValue": "Giá trị lọc",
        "ariaFilteringOperator": "Phép so sánh",
        "ariaLabelColumnFilter": "Bộ lọc cột",
        "ariaLabelColumnMenu": "Trình đơn cột",
        "ariaLabelTooltip": "Chú thích",
        "ariaMenuColumn": "Nhấn ALT và mũi tên xuống để mở trình đơn cột",
        "ariaSortableColumn": "Nhấn ENTER để sắp xếp",
        "ariaSearch": "Tìm",
        "ariaSearchFilterValues": "Tìm giá trị lọc",
    }
)
SEPARATOR_KEYS = frozenset({"thousandSeparator", "decimalSeparator"})  # marks for numbers, not words


def locale_text(lang: str) -> dict[str, str] | None:
    """A grid's `localeText` in `lang`: Vietnamese, the pseudo-locale's marked Vietnamese, or None (AG Grid's own
    English)."""
    if lang == PSEUDO:
        return {key: text if key in SEPARATOR_KEYS else pseudo(text) for key, text in AG_GRID_LOCALE_VI.items()}
    return None if lang == "en" else dict(AG_GRID_LOCALE_VI)
