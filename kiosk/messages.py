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
    "image_colour_unsupported": {
        "kk": "Кескіннің түс түрі (CMYK) қолдау көрсетілмейді. Сканерде сұр немесе түрлі түсті режимді таңдаңыз.",
        "ru": "Цветовой тип изображения (CMYK) не поддерживается. Выберите на сканере режим оттенков серого или цветной.",
        "en": "The image's colour type (CMYK) is not supported. Set the scanner to grey or colour.",
    },
    "image_layout_unsupported": {
        "kk": "Кескін файлының құрылымы (TIFF: разрядтылығы мен жолақтары) ашу үшін тым көп жад қажет етеді. Сканерде 8 биттік сұр немесе түрлі түсті режимді не JPEG пішімін таңдаңыз.",
        "ru": "Структура файла изображения (TIFF: разрядность и полосы) требует слишком много памяти для декодирования. Выберите на сканере 8-битный серый или цветной режим либо формат JPEG.",
        "en": "The image file's layout (TIFF: bits per sample and strips) needs too much memory to decode. Set the scanner to 8-bit grey or colour, or to JPEG.",
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
    # --- exports to the USB stick (issue 13, exports) ------------------------------------------------
    "export_device_key_missing": {
        "kk": "Киосктың құрылғы кілті табылмады. Экспорт жасалмады. Техникті шақырыңыз.",
        "ru": "Ключ устройства киоска не найден. Экспорт не выполнен. Позовите техника.",
        "en": "The kiosk's device key was not found. Nothing was exported. Call the technician.",
    },
    "export_not_allowed_now": {
        "kk": "Қазір экспорттауға болмайды: ресми нәтижелер хаттама бекітілгеннен кейін ғана экспортталады.",
        "ru": "Сейчас экспорт невозможен: официальные результаты выгружаются только после утверждения протокола.",
        "en": "Export is not possible now: official results are exported only after the protocol is finalised.",
    },
    "export_count_incomplete": {
        "kk": "Санау аяқталмаған: комиссия шешімін немесе растауды күтетін бюллетеньдер бар. Экспорт жасалмады.",
        "ru": "Подсчёт не завершён: есть бюллетени, ожидающие решения комиссии или подтверждения. Экспорт не выполнен.",
        "en": "The count is not finished: some sheets await the commission's decision or confirmation. Nothing was exported.",
    },
    "export_nist_invalid": {
        "kk": "Экспорт файлдары тексеруден өтпеді. Ештеңе жазылмады. Техникті шақырыңыз.",
        "ru": "Файлы экспорта не прошли проверку. Ничего не записано. Позовите техника.",
        "en": "The export files failed their check. Nothing was written. Call the technician.",
    },
    "export_stick_gone": {
        "kk": "USB жинақтағыш қолжетімсіз (суырылып алынған ба?). Оны қайта салып, экспортты қайталаңыз. Жартылай жазылған файлдар жарамсыз.",
        "ru": "USB-накопитель недоступен (извлечён?). Вставьте его и повторите экспорт. Недописанные файлы недействительны.",
        "en": "The USB stick is not available (pulled out?). Insert it and export again. Half-written files are not valid.",
    },
    "export_disk_full": {
        "kk": "USB жинақтағышта орын жоқ. Басқа жинақтағышты салып, экспортты қайталаңыз. Журнал деректері сақталған.",
        "ru": "На USB-накопителе нет места. Вставьте другой накопитель и повторите экспорт. Данные журнала сохранены.",
        "en": "The USB stick is full. Insert another stick and export again. The journal's data is safe.",
    },
    "export_stick_readonly": {
        "kk": "USB жинақтағышқа жазу мүмкін емес (жазудан қорғалған). Қорғауды алып тастаңыз немесе басқа жинақтағышты салып, қайталаңыз.",
        "ru": "На USB-накопитель нельзя записать (защищён от записи). Снимите защиту или вставьте другой накопитель и повторите.",
        "en": "The USB stick cannot be written (write-protected). Remove the protection or insert another stick, and try again.",
    },
    "export_readback_failed": {
        "kk": "USB жинақтағыштан оқылған файл жазылғанмен сәйкес емес. Жинақтағыш ақаулы болуы мүмкін: басқасын салып, қайталаңыз.",
        "ru": "Файл, прочитанный с USB-накопителя, не совпадает с записанным. Накопитель может быть неисправен: вставьте другой и повторите.",
        "en": "A file read back from the USB stick differs from what was written. The stick may be faulty: insert another and try again.",
    },
    "export_incomplete": {
        "kk": "Бұл экспорт аяқталмаған: қол қойылған манифест жоқ. Оны пайдалануға болмайды.",
        "ru": "Этот экспорт не завершён: нет подписанного манифеста. Использовать его нельзя.",
        "en": "This export is incomplete: it has no signed manifest. It must not be used.",
    },
    "export_bad_signature": {
        "kk": "Экспорт манифестінің қолтаңбасы сәйкес келмейді: манифест өзгертілген.",
        "ru": "Подпись манифеста экспорта не сходится: манифест был изменён.",
        "en": "The export manifest's signature does not match: the manifest was changed.",
    },
    "export_wrong_key": {
        "kk": "Экспортқа басқа құрылғының кілтімен қол қойылған.",
        "ru": "Экспорт подписан ключом другого устройства.",
        "en": "The export is signed with another device's key.",
    },
    "export_file_changed": {
        "kk": "Экспорттағы файл манифестке сәйкес келмейді: ол өзгертілген.",
        "ru": "Файл экспорта не совпадает с манифестом: он был изменён.",
        "en": "A file of the export does not match the manifest: it was changed.",
    },
    "export_file_missing": {
        "kk": "Манифестте аталған файл экспортта жоқ.",
        "ru": "Файла, указанного в манифесте, нет в экспорте.",
        "en": "A file named in the manifest is missing from the export.",
    },
    "export_file_unexpected": {
        "kk": "Экспортта манифестте жоқ файл бар.",
        "ru": "В экспорте есть файл, которого нет в манифесте.",
        "en": "The export holds a file that the manifest does not list.",
    },
    # --- issue 11, limits and closed defaults (helper "limits") -----------------------
    "package_too_large": {
        "kk": "Сайлау пакеті тым үлкен: ол оқылмады.",
        "ru": "Пакет выборов слишком велик: он не прочитан.",
        "en": "The election package is too large: it was not read.",
    },
    "package_not_official": {
        "kk": "Бұл пакет ресми санауға арналмаған (әзірлеу кілті немесе сынақ пакеті). Оны тек әзірлеу режимінде ашуға болады.",
        "ru": "Этот пакет не для официального подсчёта (ключ разработки или тестовый пакет). Его можно открыть только в режиме разработки.",
        "en": "This package is not for official counting (development key or test package). It opens only in development mode.",
    },
    "hq_key_invalid": {
        "kk": "Штаб кілтінің файлы оқылмады: ол PEM пішіміндегі Ed25519 ашық кілті болуы керек.",
        "ru": "Файл ключа штаба не прочитан: это должен быть открытый ключ Ed25519 в формате PEM.",
        "en": "The headquarters key file cannot be read: it must be an Ed25519 public key in PEM format.",
    },
    "hq_key_is_private": {
        "kk": "Штаб кілті ретінде жабық (құпия) кілт берілді. Киоскқа тек ашық кілт керек: құпия кілтті алып тастаңыз.",
        "ru": "В качестве ключа штаба дан закрытый (секретный) ключ. Киоску нужен только открытый ключ: уберите секретный ключ.",
        "en": "A private (secret) key was given as the headquarters key. The kiosk needs only the public key: remove the secret key.",
    },
    "signing_key_invalid": {
        "kk": "Қол қою кілті оқылмады: ол шифрланбаған PEM пішіміндегі Ed25519 жабық кілті болуы керек.",
        "ru": "Ключ подписи не прочитан: это должен быть незашифрованный закрытый ключ Ed25519 в формате PEM.",
        "en": "The signing key cannot be read: it must be an unencrypted Ed25519 private key in PEM format.",
    },
    "image_not_regular_file": {
        "kk": "Бұл кәдімгі сурет файлы емес (құрылғы, арна немесе сілтеме): ол оқылмады.",
        "ru": "Это не обычный файл изображения (устройство, канал или ссылка): он не прочитан.",
        "en": "This is not a regular image file (a device, a pipe or a link): it was not read.",
    },
    "image_too_large": {
        "kk": "Сурет файлы тым үлкен: ол оқылмады.",
        "ru": "Файл изображения слишком велик: он не прочитан.",
        "en": "The image file is too large: it was not read.",
    },
    "scanner_too_slow": {
        "kk": "Сканер парақты тым баяу жіберді. Бюллетень саналмады; оны қайта салыңыз, қайталанса техникті шақырыңыз.",
        "ru": "Сканер передавал лист слишком медленно. Бюллетень не засчитан; подайте его снова, при повторе позовите техника.",
        "en": "The scanner sent the sheet too slowly. The ballot was not counted; feed it again, and call the technician if it happens again.",
    },
    "scanner_image_too_large": {
        "kk": "Сканер тым үлкен сурет жібергісі келді. Бюллетень саналмады; техникті шақырыңыз.",
        "ru": "Сканер объявил слишком большое изображение. Бюллетень не засчитан; позовите техника.",
        "en": "The scanner announced an image that is too large. The ballot was not counted; call the technician.",
    },
    "scanner_simulated": {
        "kk": "Бұл имитацияланған немесе эмуляцияланған сканер. Ол ресми санауға жіберілмейді (тек сынақ немесе әзірлеу режимінде).",
        "ru": "Это имитированный или эмулированный сканер. К официальному подсчёту он не допускается (только в режиме проверки или разработки).",
        "en": "This is a simulated or emulated scanner. It is not allowed for official counting (only in test or development mode).",
    },
    "actor_required": {
        "kk": "Әрекетті кім орындайтынын көрсетіңіз: рөлі (--role) мен комиссия мүшесінің аты (--member).",
        "ru": "Укажите, кто выполняет действие: роль (--role) и имя члена комиссии (--member).",
        "en": "Say who does this: the role (--role) and the commission member's name (--member).",
    },
    "station_busy": {
        "kk": "Станцияның деректерімен басқа бағдарлама жұмыс істеп тұр. Ол аяқталғанша күтіңіз.",
        "ru": "С данными станции уже работает другая программа. Подождите, пока она закончит.",
        "en": "Another program is already working on the station's data. Wait until it has finished.",
    },
    "clock_went_back": {
        "kk": "Киоск сағаты артқа жылжыды: уақыт соңғы жазбадан ерте. Бұл аудитте белгіленді; сағатты тексеріңіз.",
        "ru": "Часы киоска ушли назад: время раньше последней записи. Это отмечено в журнале аудита; проверьте часы.",
        "en": "The kiosk clock went back: the time is before the last record. This is noted in the audit; check the clock.",
    },
    "clock_far_from_election": {
        "kk": "Киоск сағатындағы күн сайлау күнінен алыс. Бұл аудитте белгіленді; сағатты тексеріңіз.",
        "ru": "Дата на часах киоска далека от даты выборов. Это отмечено в журнале аудита; проверьте часы.",
        "en": "The kiosk clock's date is far from the election date. This is noted in the audit; check the clock.",
    },
    # --- end of issue 11 block (helper "limits") ---------------------------------------
    # --- kiosk window (issue 14, the kiosk helper) -------------------------------------
    "pin_wrong": {
        "kk": "Аты немесе PIN-коды қате.",
        "ru": "Неверное имя или PIN-код.",
        "en": "Wrong name or PIN.",
    },
    "sign_in_locked": {
        "kk": "PIN бірнеше рет қате енгізілді. Кіру уақытша бұғатталды: төрағаны шақырыңыз.",
        "ru": "PIN несколько раз введён неверно. Вход временно заблокирован: позовите председателя.",
        "en": "Too many wrong PINs. Sign-in is locked for a while: call the chair.",
    },
    "not_signed_in": {
        "kk": "Алдымен комиссия мүшесі кіруі керек.",
        "ru": "Сначала должен войти член комиссии.",
        "en": "A commission member must sign in first.",
    },
    "members_missing": {
        "kk": "Комиссия мүшелерінің тізімі жоқ: кіру мүмкін емес.",
        "ru": "Нет списка членов комиссии: вход невозможен.",
        "en": "There is no list of commission members: nobody can sign in.",
    },
    "review_needs_two_members": {
        "kk": "Шешімді басқа комиссия мүшесі растауы керек.",
        "ru": "Решение должен подтвердить другой член комиссии.",
        "en": "Another commission member must confirm the decision.",
    },
    "kiosk_fault": {
        "kk": "Бағдарламада ақау болды. Жазылғанның бәрі сақталды: техникті шақырыңыз.",
        "ru": "Сбой программы. Всё записанное сохранено: позовите техника.",
        "en": "The kiosk software failed. Everything recorded is kept: call the technician.",
    },
    "voter_cast_as_is": {
        "kk": "Сайлаушы бюллетеньді қалпында салуды таңдады.",
        "ru": "Избиратель решил опустить бюллетень как есть.",
        "en": "The voter chose to cast the ballot as it is.",
    },
    # --- integrity: the journal's tamper evidence, device key (branch integrity) --------------
    "journal_tampered": {
        "kk": "Журнал өзгертілген: оның күйі аудит тізбегімен сәйкес келмейді. Киоск санамайды. Комиссияға хабарлаңыз.",
        "ru": "Журнал изменён: его состояние не совпадает с цепочкой аудита. Киоск не будет считать. Сообщите комиссии.",
        "en": "The journal was altered: its state disagrees with the audit chain. The kiosk will not count. Tell the commission.",
    },
    "device_key_invalid": {
        "kk": "Киосктің құрылғы кілті оқылмайды немесе журналдағы кілтпен сәйкес келмейді.",
        "ru": "Ключ устройства киоска не читается или не совпадает с ключом в журнале.",
        "en": "The kiosk's device key cannot be read or is not the key the journal names.",
    },
    "journal_read_only": {
        "kk": "Журнал тек оқуға арналған көшірме: тексеруге болады, санауға болмайды.",
        "ru": "Журнал — копия только для чтения: её можно проверить, но не вести подсчёт.",
        "en": "The journal is a read-only copy: it can be verified, not counted into.",
    },
    # --- station protocol (issue 13, protocol work) ----------------------------------
    "protocol_no_form": {
        "kk": "Бұл бюллетень түріне хаттама нысаны пакетте жоқ.",
        "ru": "В пакете нет формы протокола для этого типа бюллетеня.",
        "en": "The package has no protocol form for this ballot type.",
    },
    "protocol_line_counted": {
        "kk": "Бұл жолды сканер санайды, комиссия оны енгізбейді.",
        "ru": "Эту строку считает сканер, комиссия её не вводит.",
        "en": "This line is counted by the scanner; the commission does not enter it.",
    },
    "protocol_line_unknown": {
        "kk": "Хаттамада мұндай жол жоқ.",
        "ru": "В протоколе нет такой строки.",
        "en": "The protocol has no such line.",
    },
    "protocol_line_missing": {
        "kk": "Хаттаманың кейбір жолдары енгізілмеген.",
        "ru": "Не все строки протокола введены.",
        "en": "Some protocol lines have not been entered.",
    },
    "protocol_line_value": {
        "kk": "Жолдың мәні бүтін теріс емес сан болуы керек.",
        "ru": "Значение строки должно быть целым неотрицательным числом.",
        "en": "A line's value must be a whole number, zero or more.",
    },
    "protocol_review_pending": {
        "kk": "Комиссия шешімін күтіп тұрған бюллетеньдер бар: алдымен оларды шешіңіз.",
        "ru": "Есть бюллетени, ожидающие решения комиссии: сначала решите их.",
        "en": "Some ballots wait for the commission's decision: decide them first.",
    },
    "protocol_ratio_failed": {
        "kk": "Бақылау қатынасы орындалмайды: хаттаманы бекітуге болмайды.",
        "ru": "Контрольное соотношение не выполняется: протокол нельзя утвердить.",
        "en": "A control ratio fails: the protocol cannot be finalised.",
    },
    "protocol_unsigned": {
        "kk": "Хаттамаға қажетті қолдар қойылмаған (құрылғы, төраға, хатшы).",
        "ru": "Протокол не подписан всеми, кто должен (устройство, председатель, секретарь).",
        "en": "The protocol lacks a required signature (device, chair, secretary).",
    },
    "protocol_bad_signature": {
        "kk": "Хаттаманың қолы жарамсыз: мазмұны өзгертілген.",
        "ru": "Подпись протокола недействительна: содержимое изменено.",
        "en": "A protocol signature does not verify: the content was changed.",
    },
    "protocol_unknown_signer": {
        "kk": "Қол қойған адам комиссия тізімінде жоқ.",
        "ru": "Подписавший не входит в состав комиссии.",
        "en": "A signer is not on the commission roster.",
    },
    "protocol_enrolment_bad": {
        "kk": "Комиссия тізімі штабтың кілтімен расталмаған.",
        "ru": "Состав комиссии не подтверждён ключом штаба.",
        "en": "The commission roster is not confirmed by the headquarters key.",
    },
    "protocol_enrolment_mismatch": {
        "kk": "Хаттама басқа сайлауға немесе учаскеге жатады.",
        "ru": "Протокол относится к другим выборам или участку.",
        "en": "The protocol belongs to another election or station.",
    },
    "protocol_malformed": {
        "kk": "Хаттама файлы бүлінген немесе өзгертілген.",
        "ru": "Файл протокола повреждён или изменён.",
        "en": "The protocol file is damaged or was changed.",
    },
    "protocol_superseded": {
        "kk": "Бұл хаттаманың жаңа нұсқасы бар: бұл ағымдағысы емес.",
        "ru": "У этого протокола есть новая версия: он не действующий.",
        "en": "This protocol has a newer version: it is not the current one.",
    },
    "protocol_form_mismatch": {
        "kk": "Хаттаманың жолдары сайлау пакетіндегі нысанға сәйкес келмейді.",
        "ru": "Строки протокола не соответствуют форме в пакете выборов.",
        "en": "The protocol's lines do not match the form in the election package.",
    },
    "protocol_print_mismatch": {
        "kk": "Басылған сандар QR-кодтағы қол қойылған хаттамаға сәйкес келмейді.",
        "ru": "Напечатанные числа не совпадают с подписанным протоколом в QR-коде.",
        "en": "The printed figures differ from the signed protocol in the QR codes.",
    },
    "protocol_qr_unreadable": {
        "kk": "QR-кодтардың бәрі оқылмады.",
        "ru": "Не все QR-коды удалось прочитать.",
        "en": "Not all QR codes could be read.",
    },
    "protocol_not_ready": {
        "kk": "Хаттама әлі дайын емес: жолдарды енгізіп, қол қойыңыз.",
        "ru": "Протокол ещё не готов: введите строки и подпишите.",
        "en": "The protocol is not ready: enter the lines and sign it.",
    },
    "protocol_already_signed": {
        "kk": "Бұл мүше осы нұсқаға қол қойып қойған.",
        "ru": "Этот член комиссии уже подписал эту версию.",
        "en": "This member has already signed this version.",
    },
    "protocol_version_conflict": {
        "kk": "Хаттама нұсқасы сәйкес келмейді: қайталап көріңіз.",
        "ru": "Конфликт версий протокола: повторите.",
        "en": "Protocol version conflict: try again.",
    },
    "protocol_reason_needed": {
        "kk": "Бекітілген хаттаманы түзету үшін себебін көрсетіңіз.",
        "ru": "Чтобы исправить утверждённый протокол, укажите причину.",
        "en": "Give the reason to correct a finalised protocol.",
    },
    "protocol_dissent_reason": {
        "kk": "Ерекше пікірдің себебін жазыңыз.",
        "ru": "Укажите причину особого мнения.",
        "en": "Give the reason for the dissent.",
    },
    "protocol_input_invalid": {
        "kk": "Енгізілген жолдар файлы оқылмады.",
        "ru": "Не удалось прочитать файл строк протокола.",
        "en": "The file of entered lines could not be read.",
    },
    "device_key_missing": {
        "kk": "Құрылғының кілті жоқ немесе жарамсыз.",
        "ru": "Ключ устройства отсутствует или недействителен.",
        "en": "The device key is missing or not valid.",
    },
    "member_unknown": {
        "kk": "Мұндай комиссия мүшесі тіркелмеген.",
        "ru": "Такой член комиссии не зарегистрирован.",
        "en": "No such commission member is enrolled.",
    },
    "member_key_exists": {
        "kk": "Бұл мүшенің кілті бұрыннан бар.",
        "ru": "Ключ этого члена комиссии уже существует.",
        "en": "This member already has a key.",
    },
    "member_key_corrupt": {
        "kk": "Мүшенің кілт файлы бүлінген.",
        "ru": "Файл ключа члена комиссии повреждён.",
        "en": "The member's key file is damaged.",
    },
    "member_pin_weak": {
        "kk": "PIN кемінде 6 таңбадан тұруы керек.",
        "ru": "PIN должен содержать не менее 6 символов.",
        "en": "The PIN must have at least 6 characters.",
    },
    "member_pin_wrong": {
        "kk": "PIN қате.",
        "ru": "Неверный PIN.",
        "en": "Wrong PIN.",
    },
    "member_locked": {
        "kk": "PIN тым көп рет қате терілді: мүшенің кілті бұғатталды.",
        "ru": "PIN введён неверно слишком много раз: ключ члена комиссии заблокирован.",
        "en": "Too many wrong PINs: the member's key is locked.",
    },
    "protocol_finalised": {
        "kk": "Бұл хаттама бекітілген: оған енді қол қоюға болмайды. Түзету үшін жаңа нұсқа жасаңыз.",
        "ru": "Этот протокол утверждён: подписать его уже нельзя. Для исправления создайте новую версию.",
        "en": "This protocol is finalised: it can no longer be signed. Make a new version to correct it.",
    },
    # --- end of station protocol block ---------------------------------------------------
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
    # erase9: a mark rubbed out (issue 10, ninth pass)
    "possible_erasure": {
        "kk": "Шаршыдағы белгі өшірілген болуы мүмкін: сайлаушы ойын өзгерткен бе, комиссия шешеді.",
        "ru": "Отметка в квадрате, возможно, стёрта: передумал ли избиратель, решает комиссия.",
        "en": "The mark in the square may have been rubbed out: the commission decides whether the voter changed their mind.",
    },
    # --- sync to headquarters (issue 15) ---
    "sync_request_bad": {
        "kk": "Сұрау станцияның құрылғы кілтімен қол қойылмаған.",
        "ru": "Запрос не подписан ключом устройства участка.",
        "en": "The request is not signed by the station's enrolled device key.",
    },
    "sync_request_stale": {
        "kk": "Сұраудың уақыты тым ескі немесе сағат дұрыс емес.",
        "ru": "Время запроса слишком старое, или часы расходятся.",
        "en": "The request's time is too old (a replay) or the clocks disagree.",
    },
    "sync_unknown_station": {
        "kk": "Бұл учаске сайлау пакетінде жоқ.",
        "ru": "Такого участка нет в пакете выборов.",
        "en": "This station is not in the election package.",
    },
    "sync_wrong_election": {
        "kk": "Хаттама басқа сайлауға арналған.",
        "ru": "Протокол относится к другим выборам.",
        "en": "The protocol is for another election.",
    },
    "sync_replayed_version": {
        "kk": "Хаттаманың ескі нұсқасы қайта жіберілді.",
        "ru": "Повторно прислана устаревшая версия протокола.",
        "en": "An old version of the protocol was sent after a newer one.",
    },
    "sync_version_conflict": {
        "kk": "Хаттаманың бұл нұсқасы басқа мазмұнмен сақталған.",
        "ru": "Эта версия протокола уже хранится с другим содержимым.",
        "en": "This version of the protocol is already stored with other content.",
    },
    "sync_too_large": {
        "kk": "Жіберілім тым үлкен.",
        "ru": "Отправление слишком велико.",
        "en": "The delivery is too large.",
    },
    "sync_receipt_bad": {
        "kk": "Штабтың түбіртегі жарамсыз.",
        "ru": "Квитанция штаба недействительна.",
        "en": "The headquarters receipt does not verify.",
    },
    "sync_ca_invalid": {
        "kk": "Штаб сертификатының орталығы оқылмады.",
        "ru": "Не удалось прочитать сертификат удостоверяющего центра штаба.",
        "en": "The headquarters CA certificate cannot be read.",
    },
    "sync_development_key": {
        "kk": "ӘЗІРЛЕУ кілті: --development қосқышы керек.",
        "ru": "Ключ РАЗРАБОТКИ: нужен переключатель --development.",
        "en": "The DEVELOPMENT key is in use: the --development switch is needed.",
    },
    "sync_no_station": {
        "kk": "Деректер қалтасында журнал не құрылғы кілті жоқ.",
        "ru": "В папке данных нет журнала или ключа устройства.",
        "en": "The data folder has no journal or device key.",
    },
    # --- mark thresholds and the logic-and-accuracy test (issue 16, lat) ----------
    "thresholds_overlap": {
        "kk": "Бос шаршылар мен анық белгілердің ұпайлары қиылысады: шекті таңдауға болмайды. Сканерді тазалап, калибрлеу бумасын қайта сканерлеңіз.",
        "ru": "Оценки пустых квадратов и чётких отметок перекрываются: пороги выбрать нельзя. Очистите сканер и отсканируйте калибровочную пачку заново.",
        "en": "The scores of empty squares and clear marks overlap: no thresholds can be chosen. Clean the scanner and scan the calibration deck again.",
    },
    "thresholds_deck_mismatch": {
        "kk": "Сканерленген парақтар калибрлеу бумасының шын мәнді файлына сәйкес келмейді.",
        "ru": "Отсканированные листы не соответствуют файлу эталона калибровочной пачки.",
        "en": "The scanned sheets do not match the calibration deck's truth file.",
    },
    "thresholds_too_few": {
        "kk": "Калибрлеу бумасында бос шаршылар не анық белгілер тым аз.",
        "ru": "В калибровочной пачке слишком мало пустых квадратов или чётких отметок.",
        "en": "The calibration deck has too few empty squares or clear marks.",
    },
    "test_deck_not_passed": {
        "kk": "Дауыс беруді ашуға болмайды: соңғы калибрлеуден кейін логика мен дәлдік сынағы өтпеген.",
        "ru": "Открыть голосование нельзя: после последней калибровки не пройден тест логики и точности.",
        "en": "Voting cannot open: no logic-and-accuracy test has passed since the last calibration.",
    },
    "test_deck_mismatch": {
        "kk": "Күтілетін нәтиже файлы осы учаскеге не осы сайлауға арналмаған.",
        "ru": "Файл ожидаемых итогов не относится к этому участку или к этим выборам.",
        "en": "The expected-results file is not for this station or this election.",
    },
    "test_report_needs_test_mode": {
        "kk": "Сынақ есебі тек сынақ режимінде, сынақ аяқталмай тұрып жасалады.",
        "ru": "Отчёт теста составляется только в режиме теста, до его завершения.",
        "en": "The test report is made in test mode only, before the test ends.",
    },
    # --- scanner calibration (issue 16, calib) ---------------------------------------
    "calibration_sheet_unrecognised": {
        "kk": "Калибрлеу парағы танылмады. Sanaq калибрлеу парағын (SQCAL коды бар) тік қалпында, жоғарғы жиегімен алға салыңыз.",
        "ru": "Калибровочный лист не распознан. Вставьте калибровочный лист Sanaq (с кодом SQCAL) вертикально, верхним краем вперёд.",
        "en": "The calibration sheet was not recognised. Feed the Sanaq calibration sheet (with its SQCAL code) portrait, top edge first.",
    },
    "calibration_no_sheet": {
        "kk": "Сканер калибрлеу парағын бермеді. Парақты салып, қайта көріңіз.",
        "ru": "Сканер не выдал калибровочный лист. Вставьте лист и повторите.",
        "en": "The scanner delivered no sheet. Put the calibration sheet in and try again.",
    },
    "calibration_scale": {
        "kk": "Сканер бетті созады немесе қысқартады: роликтерді тексеріп, тазалаңыз, содан кейін қайта калибрлеңіз. Толығы — мәліметте.",
        "ru": "Сканер растягивает или сжимает страницу: проверьте и почистите ролики, затем повторите калибровку. Подробности — в описании.",
        "en": "The scanner stretches or shortens the page (a worn or dirty feed): check and clean the rollers, then calibrate again. The detail says which axis and by how much.",
    },
    "calibration_skew": {
        "kk": "Парақ қисық кірді: қағаз бағыттауыштарын парақ еніне келтіріп, қайта сканерлеңіз.",
        "ru": "Лист прошёл с перекосом: выставьте направляющие по ширине листа и отсканируйте снова.",
        "en": "The sheet went in crooked: set the paper guides to the sheet's width and scan it again.",
    },
    "calibration_offset": {
        "kk": "Бет кескінде дұрыс орында емес немесе бір бөлігі кескіннен тыс: қағаз бағыттауыштарын немесе сканерлеу аймағын түзетіңіз.",
        "ru": "Страница не на своём месте в изображении или частично вне его: поправьте направляющие или область сканирования.",
        "en": "The page is not where it should be in the image, or part of it is outside: adjust the paper guides or the scan area.",
    },
    "calibration_levels": {
        "kk": "Сканердің ақ немесе қара деңгейі дұрыс емес: әйнекті және шам терезесін тазалаңыз, жарықтық пен контраст баптауларын тексеріңіз.",
        "ru": "Уровни белого или чёрного у сканера не в норме: почистите стекло и окно лампы, проверьте настройки яркости и контраста.",
        "en": "The scanner's white or black level is off: clean the glass and the lamp window, check the brightness and contrast settings.",
    },
    "calibration_illumination": {
        "kk": "Жарық ені бойынша біркелкі емес: сканердің шамын сервиске көрсетіңіз. Қай жиегі қараңғы — мәліметте.",
        "ru": "Освещение неравномерно по ширине: сдайте лампу сканера в сервис. Какой край темнее — в описании.",
        "en": "The light is uneven across the width: have the scanner's lamp serviced. The detail says which edge is darker.",
    },
    "calibration_streak": {
        "kk": "Әйнекті тазалаңыз: кескінде жолақ бар. Оның сол жиектен қашықтығы (мм) мәліметте көрсетілген. Содан кейін қайта калибрлеңіз.",
        "ru": "Почистите стекло: на изображении полоса. Её расстояние от левого края (мм) указано в описании. Затем повторите калибровку.",
        "en": "Clean the glass: there is a streak down the image. Its distance from the left edge (mm) is in the detail. Then calibrate again.",
    },
    "calibration_dust": {
        "kk": "Әйнекті тазалаңыз: ақ қағаздың үстінде шаң түйіршіктері көрінеді. Содан кейін қайта калибрлеңіз.",
        "ru": "Почистите стекло: на чистой бумаге видны пылинки. Затем повторите калибровку.",
        "en": "Clean the glass: specks of dust show over blank paper. Then calibrate again.",
    },
    "calibration_resolution": {
        "kk": "Сканер айтқан ажыратымдылықты бермейді: ажыратымдылық баптауын (кемінде 150 dpi) тексеріп, линзаны тазалаңыз.",
        "ru": "Сканер не даёт заявленного разрешения: проверьте настройку разрешения (не менее 150 dpi) и почистите объектив.",
        "en": "The scanner delivers less detail than it claims: check its resolution setting (at least 150 dpi) and clean the lens.",
    },
    "calibration_missing": {
        "kk": "Сканер калибрленбеген: дауыс беру ашылмас бұрын және осы сканер бюллетень санамас бұрын техник онда калибрлеу парағын сканерлеуі керек (sanaq calibrate scanner).",
        "ru": "Сканер не откалиброван: до открытия голосования и до подсчёта бюллетеней этим сканером техник должен отсканировать на нём калибровочный лист (sanaq calibrate scanner).",
        "en": "The scanner is not calibrated: before the polls open, and before this scanner counts ballots, a technician must scan the calibration sheet on it (sanaq calibrate scanner).",
    },
    "calibration_stale": {
        "kk": "Сканердің калибрлеуі тым ескі: калибрлеу парағын қайта сканерлеңіз.",
        "ru": "Калибровка сканера слишком старая: отсканируйте калибровочный лист заново.",
        "en": "The scanner's calibration is too old: scan the calibration sheet again.",
    },
    "calibration_failed": {
        "kk": "Сканердің соңғы калибрлеуі өтпеді: себебін жойып, қайта калибрлеңіз.",
        "ru": "Последняя калибровка сканера не пройдена: устраните причину и откалибруйте снова.",
        "en": "The scanner's last calibration failed: fix what it said and calibrate again.",
    },
    "calibration_profile_changed": {
        "kk": "Сканер профилінің файлы журналдағы жазбамен сәйкес келмейді (ауыстырылған немесе өзгертілген): қайта калибрлеңіз және комиссияға хабарлаңыз.",
        "ru": "Файл профиля сканера не совпадает с записью в журнале (подменён или изменён): откалибруйте заново и сообщите комиссии.",
        "en": "The scanner profile file does not match its record in the journal (swapped or edited): calibrate again and tell the commission.",
    },
    "calibration_scale_drift": {
        "kk": "Сканер калибрлеуден кейін бетті басқаша созады: бюллетень комиссияға жіберілді. Роликтерді тексеріп, қайта калибрлеңіз.",
        "ru": "Сканер растягивает страницу иначе, чем при калибровке: бюллетень передан комиссии. Проверьте ролики и откалибруйте заново.",
        "en": "The scanner stretches the page differently than at calibration: the ballot goes to the commission. Check the rollers and calibrate again.",
    },
    # sync2, round 3 (issue 15)
    "sync_server_untrusted": {
        "kk": "Штаб серверінің сертификаты сайлау пакетіндегі орталыққа сәйкес емес: ештеңе жіберілмеді.",
        "ru": "Сертификат сервера штаба не заверен центром из пакета выборов: ничего не отправлено.",
        "en": "The server's certificate does not chain to the election package's headquarters CA: nothing was sent.",
    },
    "sync_no_headquarters": {
        "kk": "Сайлау пакетінде штабтың мекенжайы мен сертификаты жоқ.",
        "ru": "В пакете выборов нет адреса и сертификата штаба.",
        "en": "The election package names no headquarters (URL and CA).",
    },
    "sync_ca_needs_development": {
        "kk": "--ca тек --development қосқышымен: сертификат сайлау пакетінен алынады.",
        "ru": "--ca только с переключателем --development: сертификат берётся из пакета выборов.",
        "en": "--ca only with the --development switch: the CA comes from the election package.",
    },
    "sync_file_bad": {
        "kk": "Жеткізілген файл (бюллетень жазбалары не манифест) тексерілмеді.",
        "ru": "Доставленный файл (записи бюллетеней или манифест) не прошёл проверку.",
        "en": "The delivered file (cast vote records or manifest) does not verify.",
    },
    "sync_not_asked": {
        "kk": "Сайлау пакеті бұл файл түрін сұрамайды.",
        "ru": "Пакет выборов не запрашивает файлы этого вида.",
        "en": "The election package does not ask for this kind of file.",
    },
    "sync_store_busy": {
        "kk": "Штаб қоймасы бос емес: қайталаңыз.",
        "ru": "Хранилище штаба занято: повторите.",
        "en": "The headquarters store is busy: try again.",
    },
    "sync_no_receipt": {
        "kk": "Штабтан түбіртек әлі алынған жоқ.",
        "ru": "Квитанция штаба ещё не получена.",
        "en": "No headquarters receipt has been received yet.",
    },
    # kioskpolish, round 4 (issue 14): the technicians' roster for the kiosk
    "technician_roster_bad": {
        "kk": "Техниктер тізімі штабтың кілтімен расталмаған немесе қол қойылғаннан кейін өзгертілген.",
        "ru": "Список техников не подтверждён ключом штаба или изменён после подписи.",
        "en": "The technicians' roster is not confirmed by the headquarters key, or was changed after signing.",
    },
    "technician_roster_mismatch": {
        "kk": "Техниктер тізімі басқа сайлауға, учаскеге немесе киоскке жатады.",
        "ru": "Список техников относится к другим выборам, участку или киоску.",
        "en": "The technicians' roster is for another election, station or kiosk.",
    },
    # kiosk6, round 4 (issue 14): a technician's id also on the commission's roster
    "technician_roster_clash": {
        "kk": "Техниктер тізіміндегі біреудің идентификаторы комиссия мүшесінікімен бірдей: штаб тізімге қайта қол қоюы керек.",
        "ru": "Идентификатор техника в списке совпадает с идентификатором члена комиссии: штаб должен заново подписать список.",
        "en": "A technician on the roster has the same id as a commission member: headquarters must sign the roster again.",
    },
    # attack6, round 5: an export folder holding a link or a special file (docs/export.md)
    "export_not_plain_file": {
        "kk": "Экспортта сілтеме немесе арнайы файл бар: экспорт тек қарапайым файлдар мен қалталардан тұрады.",
        "ru": "В экспорте есть ссылка или специальный файл: экспорт состоит только из обычных файлов и папок.",
        "en": "The export holds a link or a special file: an export holds only plain files and folders.",
    },
    # secret7, round 5 (attack6): a review decided while the polls are open placed that ballot
    # in the voting order (docs/station.md)
    "review_while_open": {
        "kk": "Күмәнді бюллетеньдер дауыс беру жабылғаннан кейін шешіледі: олар сақталған, хаттамаға дейін шешіңіз.",
        "ru": "Спорные бюллетени решаются после закрытия голосования: они сохранены, решите их до протокола.",
        "en": "Ballots set aside are decided after the polls close: they are kept; decide them before the protocol.",
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
