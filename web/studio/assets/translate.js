// Russian for bpmn-js (palette, context pad, replace menu: bpmn-js-i18n) and for the few
// properties-panel labels the studio keeps (general and documentation groups).
import ru from 'bpmn-js-i18n/translations/ru';

const PANEL = {
  General: 'Основное',
  Name: 'Название',
  ID: 'Идентификатор',
  Documentation: 'Описание',
  'Element documentation': 'Описание элемента',
  'Process documentation': 'Описание процесса',
  'Process name': 'Название процесса',
  'Process ID': 'Идентификатор процесса',
  Executable: 'Исполняемый',
  'Version tag': 'Версия',
  Participant: 'Участник',
  'Multi-instance': 'Множественный экземпляр',
  'Loop cardinality': 'Число повторений',
  'Completion condition': 'Условие завершения',
  Category: 'Категория',
  Value: 'Значение',
  Type: 'Тип',
  '<none>': '<нет>',
  'Element must have an unique id.': 'Идентификатор должен быть уникальным.',
  'ID must not contain spaces.': 'Идентификатор не должен содержать пробелы.',
  'ID must not be empty.': 'Идентификатор не должен быть пустым.',
  'ID must be a valid QName.': 'Идентификатор: латиница, цифры и «_», с буквы.',
  'Select an element to edit its properties.': 'Выберите элемент, чтобы изменить его свойства.',
  'Multiple elements are selected. Select a single one to edit its properties.':
    'Выбрано несколько элементов. Выберите один, чтобы изменить его свойства.',
  'Search in diagram': 'Поиск по диаграмме',
  'Toggle minimap': 'Мини-карта',
  'Open minimap': 'Мини-карта',
  'Close minimap': 'Скрыть мини-карту',
  'Toggle section': 'Свернуть или развернуть',
  'User Task': 'Задача сотрудника',
  'Service Task': 'Сервисная задача',
  'Script Task': 'Скрипт',
  'Business Rule Task': 'Бизнес-правило',
  'Manual Task': 'Ручная задача',
  'Send Task': 'Отправка сообщения',
  'Receive Task': 'Получение сообщения',
  'Call Activity': 'Вызов процесса',
  'Sub Process': 'Подпроцесс',
  Task: 'Задача',
  'Start Event': 'Начальное событие',
  'End Event': 'Конечное событие',
  'Timer Start Event': 'Начало по таймеру',
  'Message Start Event': 'Начало по сообщению',
  'Timer Boundary Event': 'Таймер на задаче',
  'Message Boundary Event': 'Сообщение на задаче',
  'Error Boundary Event': 'Ошибка на задаче',
  'Boundary Event': 'Граничное событие',
  'Timer Intermediate Catch Event': 'Ожидание таймера',
  'Message Intermediate Catch Event': 'Ожидание сообщения',
  'Message Intermediate Throw Event': 'Отправка сообщения',
  'Intermediate Catch Event': 'Промежуточное событие',
  'Intermediate Throw Event': 'Промежуточное событие',
  'Exclusive Gateway': 'Исключающий шлюз',
  'Parallel Gateway': 'Параллельный шлюз',
  'Inclusive Gateway': 'Включающий шлюз',
  'Event Based Gateway': 'Шлюз по событию',
  'Sequence Flow': 'Переход',
  'Default Flow': 'Переход по умолчанию',
  'Conditional Flow': 'Переход с условием',
  Process: 'Процесс',
  Lane: 'Дорожка'
};
const TEXTS = { ...ru, ...PANEL };

export function translate(template, replacements) {
  const text = TEXTS[template] || template;
  return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : `{${key}}`));
}

export default { translate: ['value', translate] };
