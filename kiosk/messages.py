"""User-facing messages for every stable code, in Kazakh, Russian and English.

Codes are stable strings: never rename one, add a new one instead.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- election package -------------------------------------------------------
    "package_malformed": {
        "kk": "Сайлау пакеті оқылмады: файл бүлінген немесе пішімі дұрыс емес.",
        "ru": "Пакет выборов не прочитан: файл повреждён или имеет неверный формат.",
        "en": "The election package cannot be read: the file is damaged or not in the right format.",
    },
    "package_unsigned": {
        "kk": "Сайлау пакетінде штаб қолтаңбасы жоқ. Оны пайдалануға болмайды.",
        "ru": "Пакет выборов не подписан штабом. Использовать его нельзя.",
        "en": "The election package is not signed by headquarters and cannot be used.",
    },
    "package_unknown_key": {
        "kk": "Сайлау пакетіне белгісіз кілтпен қол қойылған.",
        "ru": "Пакет выборов подписан неизвестным ключом.",
        "en": "The election package is signed with a key this kiosk does not trust.",
    },
    "package_bad_signature": {
        "kk": "Сайлау пакетінің қолтаңбасы сәйкес келмейді: файл өзгертілген.",
        "ru": "Подпись пакета выборов не сходится: файл был изменён.",
        "en": "The election package signature does not match: the file was changed.",
    },
    "package_unknown_version": {
        "kk": "Сайлау пакетінің нұсқасы бұл бағдарламаға белгісіз.",
        "ru": "Версия пакета выборов не поддерживается этой программой.",
        "en": "This version of the election package is not supported by this software.",
    },
    "package_invalid": {
        "kk": "Сайлау пакетінің мазмұны қате: міндетті деректер жоқ немесе сәйкес емес.",
        "ru": "Содержимое пакета выборов ошибочно: нет обязательных данных или они противоречивы.",
        "en": "The election package content is wrong: required data is missing or inconsistent.",
    },
    "unknown_style": {
        "kk": "Мұндай бюллетень түрі сайлау пакетінде жоқ.",
        "ru": "Такого вида бюллетеня нет в пакете выборов.",
        "en": "There is no such ballot style in the election package.",
    },
    "unknown_station": {
        "kk": "Мұндай сайлау учаскесі сайлау пакетінде жоқ.",
        "ru": "Такого избирательного участка нет в пакете выборов.",
        "en": "There is no such polling station in the election package.",
    },
    "file_unwritable": {
        "kk": "Файлды жазу мүмкін болмады.",
        "ru": "Не удалось записать файл.",
        "en": "The file could not be written.",
    },
    # --- reading a sheet ------------------------------------------------------
    "not_a_ballot": {
        "kk": "Бұл бюллетень емес. Бюллетеньді қайта салыңыз.",
        "ru": "Это не бюллетень. Вставьте бюллетень ещё раз.",
        "en": "This is not a ballot. Please insert the ballot again.",
    },
    "blank_page": {
        "kk": "Бет бос. Бюллетеньді басқа жағымен салыңыз.",
        "ru": "Страница пустая. Вставьте бюллетень другой стороной.",
        "en": "The page is blank. Please insert the ballot the other way.",
    },
    "unreadable": {
        "kk": "Бюллетеньді оқу мүмкін болмады. Түзетіп, қайта салыңыз.",
        "ru": "Бюллетень не удалось прочитать. Расправьте и вставьте его ещё раз.",
        "en": "The ballot could not be read. Please straighten it and insert it again.",
    },
    "wrong_election": {
        "kk": "Бұл бюллетень басқа сайлауға арналған.",
        "ru": "Этот бюллетень относится к другим выборам.",
        "en": "This ballot belongs to another election.",
    },
    "wrong_station": {
        "kk": "Бұл бюллетень осы учаскеге арналмаған.",
        "ru": "Этот бюллетень не относится к данному участку.",
        "en": "This ballot is not for this polling station.",
    },
    "test_ballot_in_official_mode": {
        "kk": "Бұл сынақ бюллетені. Ресми дауыс беру кезінде оны санауға болмайды.",
        "ru": "Это тестовый бюллетень. Во время официального голосования он не учитывается.",
        "en": "This is a test ballot. It cannot be counted during official voting.",
    },
    "official_ballot_in_test_mode": {
        "kk": "Бұл ресми бюллетень. Сынақ режимінде оны санауға болмайды.",
        "ru": "Это официальный бюллетень. В тестовом режиме он не учитывается.",
        "en": "This is an official ballot. It cannot be counted in test mode.",
    },
    "needs_cleaning": {
        "kk": "Сканерді тазалау керек: кескінде жолақ бар. Комиссияға хабарлаңыз.",
        "ru": "Сканер нужно почистить: на изображении полоса. Сообщите комиссии.",
        "en": "The scanner needs cleaning: there is a streak in the image. Tell the commission.",
    },
    "title_side_only": {
        "kk": "Тек бюллетеньнің титул беті оқылды. Бюллетеньді басқа жағымен салыңыз.",
        "ru": "Прочитана только титульная сторона. Вставьте бюллетень другой стороной.",
        "en": "Only the title side was read. Please insert the ballot the other way.",
    },
    "image_undecodable": {
        "kk": "Сканердің кескіні бүлінген. Бюллетеньді қайта салыңыз.",
        "ru": "Изображение от сканера повреждено. Вставьте бюллетень ещё раз.",
        "en": "The image from the scanner is damaged. Please insert the ballot again.",
    },
    "image_size_unsupported": {
        "kk": "Кескін өлшемі қолдау көрсетілмейді. Сканер баптауын тексеріңіз.",
        "ru": "Размер изображения не поддерживается. Проверьте настройки сканера.",
        "en": "The image size is not supported. Check the scanner settings.",
    },
    "layout_mismatch": {
        "kk": "Бюллетень белгілері күтілгендей емес. Бюллетеньді қайта салыңыз.",
        "ru": "Метки бюллетеня не совпадают с ожидаемыми. Вставьте бюллетень ещё раз.",
        "en": "The ballot marks are not where they should be. Please insert the ballot again.",
    },
    "layout_version_unsupported": {
        "kk": "Бюллетень бұл бағдарлама білмейтін нұсқада басылған.",
        "ru": "Бюллетень напечатан в версии, неизвестной этой программе.",
        "en": "The ballot was printed with a layout version this software does not know.",
    },
    "file_unreadable": {
        "kk": "Файлды оқу мүмкін болмады.",
        "ru": "Не удалось прочитать файл.",
        "en": "The file could not be read.",
    },
    # --- station journal and lifecycle ---------------------------------------------------------
    "journal_exists": {
        "kk": "Бұл учаскенің журналы бұрыннан бар. Ол жойылмайды.",
        "ru": "Журнал этого участка уже существует. Он не будет перезаписан.",
        "en": "This station's journal already exists. It will not be overwritten.",
    },
    "journal_missing": {
        "kk": "Учаске журналы табылмады. Алдымен учаскені баптаңыз.",
        "ru": "Журнал участка не найден. Сначала настройте участок.",
        "en": "The station journal was not found. Set up the station first.",
    },
    "journal_unwritable": {
        "kk": "Журналға жазу мүмкін болмады. Санау тоқтатылды, ештеңе жоғалған жоқ.",
        "ru": "Не удалось записать в журнал. Подсчёт остановлен, ничего не потеряно.",
        "en": "The journal could not be written. Counting has stopped; nothing was lost.",
    },
    "journal_disk_full": {
        "kk": "Диск толы. Бюллетень қайтарылды, санау тоқтатылды, жазылғанның бәрі сақталды. Техникті шақырыңыз.",
        "ru": "Диск заполнен. Бюллетень возвращён, подсчёт остановлен, всё записанное сохранено. Позовите техника.",
        "en": "The disk is full. The ballot was returned and counting stopped; everything recorded is kept. Call the technician.",
    },
    "journal_corrupt": {
        "kk": "Журнал бүлінген. Киоск санамайды. Комиссия мен техникке хабарлаңыз.",
        "ru": "Журнал повреждён. Киоск не будет считать. Сообщите комиссии и технику.",
        "en": "The journal is damaged. The kiosk will not count. Tell the commission and the technician.",
    },
    "mirror_unavailable": {
        "kk": "Журналдың көшірмесі (USB) қолжетімсіз. Санау тоқтатылды. USB-ны қайта салыңыз.",
        "ru": "Копия журнала (USB) недоступна. Подсчёт остановлен. Вставьте USB ещё раз.",
        "en": "The journal copy (USB) is not available. Counting has stopped. Reinsert the USB stick.",
    },
    "mirror_differs": {
        "kk": "Журнал мен оның көшірмесі сәйкес келмейді. Ештеңе біріктірілмеді. Комиссия шешеді.",
        "ru": "Журнал и его копия не совпадают. Ничего не объединено. Решает комиссия.",
        "en": "The journal and its copy differ. Nothing was merged. The commission decides.",
    },
    "sheet_not_pending": {
        "kk": "Бұл бюллетень күтудегі бюллетень емес.",
        "ru": "Этот бюллетень не ожидает решения.",
        "en": "This sheet is not pending.",
    },
    "sheet_unknown": {
        "kk": "Мұндай бюллетень журналда жоқ.",
        "ru": "Такого бюллетеня в журнале нет.",
        "en": "There is no such sheet in the journal.",
    },
    "sheet_already_decided": {
        "kk": "Бұл бюллетень бойынша шешім бұрын қабылданған.",
        "ru": "По этому бюллетеню решение уже принято.",
        "en": "This sheet has already been decided.",
    },
    "sheet_already_counted": {
        "kk": "Бұл кескін бұрын саналған. Санау тоқтатылды. Техникті шақырыңыз.",
        "ru": "Это изображение уже было учтено. Подсчёт остановлен. Позовите техника.",
        "en": "This image was already counted. Counting has stopped. Call the technician.",
    },
    "pending_needs_commission": {
        "kk": "Бір бюллетеньнің жәшікке түскені белгісіз. Комиссия экранда шешуі керек.",
        "ru": "Неизвестно, попал ли бюллетень в ящик. Комиссия должна решить на экране.",
        "en": "It is not known whether a ballot reached the box. The commission must decide on screen.",
    },
    "invalid_returned": {
        "kk": "Бюллетень жарамсыз (белгі жоқ немесе бірнеше белгі). Түзету үшін қайтарылды.",
        "ru": "Бюллетень недействителен (нет отметки или их несколько). Возвращён для исправления.",
        "en": "The ballot is invalid (no mark, or more than one). It was returned for a second chance.",
    },
    "role_unknown": {
        "kk": "Мұндай рөл жоқ.",
        "ru": "Такой роли нет.",
        "en": "There is no such role.",
    },
    "action_unknown": {
        "kk": "Мұндай әрекет жоқ.",
        "ru": "Такого действия нет.",
        "en": "There is no such action.",
    },
    "action_not_allowed_now": {
        "kk": "Бұл әрекетті қазір орындауға болмайды.",
        "ru": "Это действие сейчас недоступно.",
        "en": "This action is not allowed now.",
    },
    "role_not_allowed": {
        "kk": "Бұл әрекетті сіздің рөліңіз орындай алмайды.",
        "ru": "Ваша роль не позволяет это действие.",
        "en": "Your role may not do this.",
    },
    "counts_not_zero": {
        "kk": "Ресми есептеу нөл емес. Дауыс беруді ашуға болмайды.",
        "ru": "Официальные счётчики не равны нулю. Открыть голосование нельзя.",
        "en": "The official counts are not zero. Polls cannot open.",
    },
    "sheets_pending": {
        "kk": "Кейбір бюллетеньдердің тағдыры әлі шешілмеген.",
        "ru": "Судьба некоторых бюллетеней ещё не решена.",
        "en": "Some sheets are not settled yet.",
    },
    "scanner_unavailable": {
        "kk": "Сканер қолжетімсіз. Кабельді тексеріңіз.",
        "ru": "Сканер недоступен. Проверьте кабель.",
        "en": "The scanner is not available. Check the cable.",
    },
    "scanner_url_invalid": {
        "kk": "Сканер мекенжайы дұрыс емес.",
        "ru": "Неверный адрес сканера.",
        "en": "The scanner address is not valid.",
    },
    "scanner_jammed": {
        "kk": "Сканерде қағаз кептелді. Қақпағын ашып, бюллетеньді алып, қақпақты жабыңыз да, бюллетеньді қайта салыңыз.",
        "ru": "В сканере замялась бумага. Откройте крышку, выньте бюллетень, закройте крышку и подайте бюллетень снова.",
        "en": "Paper jam in the scanner. Open the cover, take the ballot out, close the cover and feed the ballot again.",
    },
    "scanner_double_feed": {
        "kk": "Сканерге екі парақ бірге кірді. Олар қайтарылды: бір-бірден салыңыз.",
        "ru": "В сканер попали два листа сразу. Они возвращены: подавайте по одному.",
        "en": "Two sheets went into the scanner together. They were given back: feed them one at a time.",
    },
    "scanner_cover_open": {
        "kk": "Сканердің қақпағы ашық. Қақпақты жабыңыз.",
        "ru": "Крышка сканера открыта. Закройте крышку.",
        "en": "The scanner cover is open. Close the cover.",
    },
    "scanner_box_full": {
        "kk": "Сайлау жәшігі толы. Төрағаны шақырыңыз.",
        "ru": "Ящик для голосования заполнен. Позовите председателя.",
        "en": "The ballot box is full. Call the chair.",
    },
    "scanner_no_documents": {
        "kk": "Сканерде парақ жоқ.",
        "ru": "В сканере нет листов.",
        "en": "There is no sheet in the scanner.",
    },
    "scanner_io_error": {
        "kk": "Сканермен байланыс қатесі. Кабельді тексеріңіз; бюллетень жоғалмайды.",
        "ru": "Ошибка связи со сканером. Проверьте кабель; бюллетень не потеряется.",
        "en": "Communication error with the scanner. Check the cable; no ballot is lost.",
    },
    "scanner_disconnected": {
        "kk": "Сканер ажыратылды. Оны қайта қосыңыз: станция өзі жалғасады, бюллетень жоғалмайды.",
        "ru": "Сканер отключён. Подключите его снова: станция продолжит сама, бюллетень не потеряется.",
        "en": "The scanner was disconnected. Plug it back in: the station carries on by itself, no ballot is lost.",
    },
    "scanner_restarted": {
        "kk": "Сканер қайта іске қосылды. Станция соңғы бюллетеньнің қайда екенін тексереді.",
        "ru": "Сканер перезапустился. Станция проверяет, где последний бюллетень.",
        "en": "The scanner restarted. The station is checking where the last ballot is.",
    },
    "scanner_busy": {
        "kk": "Сканер бос емес. Біраз күтіңіз.",
        "ru": "Сканер занят. Подождите немного.",
        "en": "The scanner is busy. Wait a moment.",
    },
    "scanner_not_supported": {
        "kk": "Бұл сканер бұл әрекетті орындай алмайды.",
        "ru": "Этот сканер не поддерживает это действие.",
        "en": "This scanner cannot do that.",
    },
    "scanner_protocol_error": {
        "kk": "Сканер түсініксіз жауап берді. Техникті шақырыңыз.",
        "ru": "Сканер ответил непонятно. Позовите техника.",
        "en": "The scanner gave an answer that cannot be understood. Call the technician.",
    },
    "scanner_image_failed": {
        "kk": "Бюллетень суреті толық жеткен жоқ. Бюллетень қайтарылады; оны қайта салыңыз.",
        "ru": "Изображение бюллетеня не дошло целиком. Бюллетень будет возвращён; подайте его снова.",
        "en": "The ballot image did not arrive whole. The ballot is given back; feed it again.",
    },
    "take_sheet_from_tray": {
        "kk": "Бұл сканер парақты ұстай алмайды: соңғы парақты шығу науасынан алып, сайлаушыға қайтарыңыз.",
        "ru": "Этот сканер не удерживает лист: выньте последний лист из выходного лотка и верните избирателю.",
        "en": "This scanner cannot hold sheets: take the last sheet out of the output tray and give it back to the voter.",
    },
    "camera_give_sheet_back": {
        "kk": "Бұл парақ саналмады: оны камера астынан алып, сайлаушыға қайтарыңыз.",
        "ru": "Этот лист не засчитан: уберите его из-под камеры и верните избирателю.",
        "en": "This sheet was not counted: take it from under the camera and give it back to the voter.",
    },
    "camera_no_still_page": {
        "kk": "Камера астында қозғалмайтын парақ табылмады. Бюллетеньді тегіс қойып, қолыңызды алыңыз.",
        "ru": "Под камерой нет неподвижного листа. Положите бюллетень ровно и уберите руки.",
        "en": "No still sheet under the camera. Lay the ballot flat and take your hands away.",
    },
    # --- printers -------------------------------------------------------------------
    "printer_paper_out": {
        "kk": "Принтерде қағаз бітті. Қағаз салыңыз: басып шығару өзі жалғасады.",
        "ru": "В принтере закончилась бумага. Вставьте бумагу: печать продолжится сама.",
        "en": "The printer is out of paper. Load paper: printing carries on by itself.",
    },
    "printer_cover_open": {
        "kk": "Принтердің қақпағы ашық. Қақпақты жабыңыз.",
        "ru": "Крышка принтера открыта. Закройте крышку.",
        "en": "The printer cover is open. Close the cover.",
    },
    "printer_offline": {
        "kk": "Принтер қолжетімсіз. Кабель мен қуатты тексеріңіз: құжат кезекте сақталады.",
        "ru": "Принтер недоступен. Проверьте кабель и питание: документ ждёт в очереди.",
        "en": "The printer is not available. Check the cable and power: the document waits in the queue.",
    },
    "printer_url_invalid": {
        "kk": "Принтер мекенжайы дұрыс емес.",
        "ru": "Неверный адрес принтера.",
        "en": "The printer address is not valid.",
    },
    # --- reader: review reasons for the commission's screen (issue 10) ---
    "marginal_mark": {
        "kk": "Шаршыда белгі болуы мүмкін, бірақ анық емес. Комиссия шешеді.",
        "ru": "В квадрате, возможно, есть отметка, но нечёткая. Решает комиссия.",
        "en": "There may be a mark in the square, but it is not clear. The commission decides.",
    },
    "possible_stain": {
        "kk": "Шаршы дақпен күңгірттенген: бұл белгі ме, әлде дақ па, комиссия шешеді.",
        "ru": "Квадрат затемнён пятном: отметка это или пятно, решает комиссия.",
        "en": "The square is darkened by what may be a stain: the commission decides whether it is a mark.",
    },
    "crossing_line": {
        "kk": "Шаршы арқылы бүкіл жолды кесіп өтетін қою сызық бар. Комиссия шешеді.",
        "ru": "Через квадрат проходит тёмная линия через всю строку. Решает комиссия.",
        "en": "A dark line runs through the square and across the whole row. The commission decides.",
    },
}


def markdown_table() -> str:
    """docs/error-codes.md is this table (a test keeps them in step)."""
    rows = ["| code | kk | ru | en |", "| --- | --- | --- | --- |"]
    rows += [f"| `{code}` | {t['kk']} | {t['ru']} | {t['en']} |" for code, t in MESSAGES.items()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(
        "# Error codes\n\nStable codes; every one has its message in Kazakh, Russian and English.\n"
        "Generated by `python -m kiosk.messages`.\n"
    )
    print(markdown_table(), end="")
