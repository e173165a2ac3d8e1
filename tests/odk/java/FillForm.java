// Fills an XForm with JavaRosa, the engine inside ODK Collect, the way Collect's form entry does:
// step through the events, answer the questions that are relevant, add repeat instances when the
// form asks, validate, finalize, serialize. Used by tests/odk/clients (compiled against the
// ODK_Validate.jar that ships in pyxform's wheel, which holds JavaRosa and Jackson).
//
//   java -cp ODK_Validate.jar:CLASSES FillForm FORM.xml MEDIA_DIR ANSWERS.json
//        [--instance PREVIOUS.xml] [--language "Lao (lo)"]
//
// ANSWERS.json: {"name or /data/path": value, "repeat_name": [{...}, {...}], "image": "file.jpg"}.
// A select takes a choice value (a select_multiple a list); the choice must be among those the
// form offers at that point (choice filters, select_one_from_file), as in Collect.
// With --instance, the previous instance is loaded as Collect loads a saved form for editing;
// the answers change it, and finalizing moves meta/instanceID to meta/deprecatedID with a new
// instanceID (Collect's edit of a finalized form).
//
// Prints one JSON object: {"xml", "languages", "language", "labels", "choices", "asked",
// "attachments"} (the files the instance names: Collect sends them all with it); on a
// failure {"error": {"question", "kind", "constraint", "message", "value"}} and exit code 3.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.javarosa.core.model.Constants;
import org.javarosa.core.model.FormDef;
import org.javarosa.core.model.FormIndex;
import org.javarosa.core.model.SelectChoice;
import org.javarosa.core.model.ValidateOutcome;
import org.javarosa.core.model.condition.Constraint;
import org.javarosa.core.model.data.AnswerDataFactory;
import org.javarosa.core.model.data.IAnswerData;
import org.javarosa.core.model.data.SelectMultiData;
import org.javarosa.core.model.data.SelectOneData;
import org.javarosa.core.model.data.StringData;
import org.javarosa.core.model.data.UncastData;
import org.javarosa.core.model.data.helper.Selection;
import org.javarosa.core.model.instance.InstanceInitializationFactory;
import org.javarosa.core.model.instance.TreeElement;
import org.javarosa.core.model.instance.TreeReference;
import org.javarosa.core.reference.Reference;
import org.javarosa.core.reference.ReferenceFactory;
import org.javarosa.core.reference.ReferenceManager;
import org.javarosa.core.util.PropertyUtils;
import org.javarosa.form.api.FormEntryController;
import org.javarosa.form.api.FormEntryModel;
import org.javarosa.form.api.FormEntryPrompt;
import org.javarosa.model.xform.XFormSerializingVisitor;
import org.javarosa.model.xform.XFormsModule;
import org.javarosa.xform.parse.XFormParser;
import org.javarosa.xform.util.XFormUtils;
import org.javarosa.xpath.XPathConditional;

public final class FillForm {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MEDIA_ROOTS = {
        "jr://file/", "jr://file-csv/", "jr://images/", "jr://audio/", "jr://video/"
    };

    /** A failure Collect would show the surveyor: the question and why. */
    static final class EntryError extends Exception {
        final ObjectNode detail;

        EntryError(String question, String kind, String message) {
            super(kind + " at " + question + ": " + message);
            detail = JSON.createObjectNode();
            detail.put("question", question);
            detail.put("kind", kind);
            detail.put("message", message);
        }
    }

    /** jr://file/NAME and jr://file-csv/NAME are the form's media, downloaded into one folder. */
    static final class MediaReference implements Reference {
        private final String uri;
        private final Path file;

        MediaReference(String uri, Path file) {
            this.uri = uri;
            this.file = file;
        }

        public boolean doesBinaryExist() {
            return Files.exists(file);
        }

        public InputStream getStream() throws IOException {
            return new FileInputStream(file.toFile());
        }

        public String getURI() {
            return uri;
        }

        public String getLocalURI() {
            return file.toAbsolutePath().toString();
        }

        public boolean isReadOnly() {
            return true;
        }

        public OutputStream getOutputStream() throws IOException {
            throw new IOException("media is read-only");
        }

        public void remove() throws IOException {
            throw new IOException("media is read-only");
        }

        public Reference[] probeAlternativeReferences() {
            return new Reference[0];
        }
    }

    static final class MediaFactory implements ReferenceFactory {
        private final Path dir;

        MediaFactory(Path dir) {
            this.dir = dir;
        }

        public boolean derives(String uri) {
            for (String root : MEDIA_ROOTS) {
                if (uri.startsWith(root)) {
                    return true;
                }
            }
            return false;
        }

        public Reference derive(String uri) {
            String name = uri.substring(uri.lastIndexOf('/') + 1);
            return new MediaReference(uri, dir.resolve(name));
        }

        public Reference derive(String uri, String context) {
            return derive(uri);
        }
    }

    private final FormEntryController fec;
    private final JsonNode answers;
    private final ObjectNode labels = JSON.createObjectNode();
    private final ObjectNode choices = JSON.createObjectNode();
    private final ArrayNode asked = JSON.createArrayNode();

    FillForm(FormEntryController fec, JsonNode answers) {
        this.fec = fec;
        this.answers = answers;
    }

    public static void main(String[] args) throws Exception {
        String previous = null;
        String language = null;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--instance")) {
                previous = args[++i];
            } else if (args[i].equals("--language")) {
                language = args[++i];
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 3) {
            System.err.println("usage: FillForm FORM.xml MEDIA_DIR ANSWERS.json"
                    + " [--instance PREVIOUS.xml] [--language NAME]");
            System.exit(2);
        }
        new XFormsModule().registerModule();  // as Collect does at start-up (restoring needs it)
        Path mediaDir = Paths.get(positional.get(1));
        ReferenceManager.instance().addReferenceFactory(new MediaFactory(mediaDir));
        JsonNode answers = JSON.readTree(Files.readAllBytes(Paths.get(positional.get(2))));

        FormDef form;
        try (InputStream in = new FileInputStream(positional.get(0))) {
            form = XFormUtils.getFormFromInputStream(in);
        }
        FormEntryModel model = new FormEntryModel(form);
        FormEntryController fec = new FormEntryController(model);
        if (previous != null) {
            restore(form, Files.readAllBytes(Paths.get(previous)));
            form.initialize(false, new InstanceInitializationFactory());
            fec.addPostProcessor(FillForm::markEdit);
        } else {
            form.initialize(true, new InstanceInitializationFactory());
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode languages = out.putArray("languages");
        if (form.getLocalizer() != null) {
            for (String name : form.getLocalizer().getAvailableLocales()) {
                languages.add(name);
            }
            if (language != null) {
                fec.setLanguage(language);
            }
            out.put("language", model.getLanguage());
        } else {
            out.putNull("language");
        }

        FillForm filler = new FillForm(fec, answers);
        try {
            filler.fill();
            filler.finish(form);
        } catch (EntryError failure) {
            ObjectNode error = JSON.createObjectNode();
            error.set("error", failure.detail);
            System.out.println(JSON.writeValueAsString(error));
            System.exit(3);
        }
        byte[] xml = new XFormSerializingVisitor().serializeInstance(form.getInstance());
        out.put("xml", new String(xml, StandardCharsets.UTF_8));
        out.set("labels", filler.labels);
        out.set("choices", filler.choices);
        out.set("asked", filler.asked);
        out.set("attachments", files(form.getInstance().getRoot(), JSON.createArrayNode()));
        System.out.println(JSON.writeValueAsString(out));
    }

    /** The files the instance names (image answers), all of which Collect sends with it. */
    static ArrayNode files(TreeElement element, ArrayNode found) {
        if (element.getDataType() == Constants.DATATYPE_BINARY && element.isRelevant()
                && element.getValue() != null) {
            found.add(element.getValue().getDisplayText());
        }
        for (int i = 0; i < element.getNumChildren(); i++) {
            files(element.getChildAt(i), found);
        }
        return found;
    }

    /** Collect's FormLoaderTask.importData: the saved instance populates the form's template. */
    static void restore(FormDef form, byte[] saved) {
        TreeElement savedRoot = XFormParser.restoreDataModel(saved, null).getRoot();
        TreeElement templateRoot = form.getInstance().getRoot().deepCopy(true);
        if (!savedRoot.getName().equals(templateRoot.getName())) {
            throw new IllegalArgumentException("the instance is not of this form: " + savedRoot.getName());
        }
        templateRoot.populate(savedRoot, form);
        form.getInstance().setRoot(templateRoot);
    }

    /** Collect's EditedFormFinalizationProcessor: the old instanceID becomes meta/deprecatedID. */
    static void markEdit(FormEntryModel model) {
        TreeElement meta = model.getForm().getMainInstance().getRoot().getFirstChild("meta");
        TreeElement instanceId = meta.getFirstChild("instanceID");
        TreeElement deprecatedId = new TreeElement("deprecatedID");
        meta.addChild(deprecatedId);
        deprecatedId.setAnswer(instanceId.getValue());
        instanceId.setAnswer(new StringData("uuid:" + PropertyUtils.genUUID()));
    }

    void fill() throws EntryError {
        FormEntryModel model = fec.getModel();
        for (int event = fec.stepToNextEvent();
                event != FormEntryController.EVENT_END_OF_FORM;
                event = fec.stepToNextEvent()) {
            FormIndex index = model.getFormIndex();
            if (event == FormEntryController.EVENT_PROMPT_NEW_REPEAT) {
                JsonNode wanted = answersFor(index.getReference(), true);
                int existing = index.getInstanceIndex();
                if (wanted != null && wanted.isArray() && wanted.size() > existing) {
                    fec.newRepeat();
                }
                continue;
            }
            if (event != FormEntryController.EVENT_QUESTION) {
                continue;
            }
            FormEntryPrompt prompt = model.getQuestionPrompt();
            TreeReference ref = index.getReference();
            String name = ref.getNameLast();
            asked.add(ref.toString(true));
            if (!labels.has(name)) {
                labels.put(name, prompt.getLongText());
            }
            List<SelectChoice> offered = prompt.getSelectChoices();
            if (offered != null && !choices.has(name)) {
                ObjectNode texts = choices.putObject(name);
                for (SelectChoice choice : offered) {
                    texts.put(choice.getValue(), prompt.getSelectChoiceText(choice));
                }
            }
            JsonNode value = answersFor(ref, false);
            if (value == null || prompt.isReadOnly()) {
                continue;
            }
            IAnswerData data = answer(prompt, ref, value);
            int result = fec.answerQuestion(index, data, true);
            if (result == FormEntryController.ANSWER_CONSTRAINT_VIOLATED) {
                EntryError error = new EntryError(ref.toString(false), "constraint", prompt.getConstraintText());
                error.detail.put("constraint", constraintOf(ref));
                error.detail.put("value", value.isTextual() ? value.asText() : value.toString());
                throw error;
            }
            if (result == FormEntryController.ANSWER_REQUIRED_BUT_EMPTY) {
                throw new EntryError(ref.toString(false), "required", "an answer is required");
            }
        }
    }

    void finish(FormDef form) throws EntryError {
        ValidateOutcome outcome = form.validate(true);
        if (outcome != null && outcome.failedPrompt != null) {
            TreeReference ref = outcome.failedPrompt.getReference();
            boolean required = outcome.outcome == FormEntryController.ANSWER_REQUIRED_BUT_EMPTY;
            EntryError error = new EntryError(
                    ref.toString(false),
                    required ? "required" : "constraint",
                    required ? "an answer is required" : "a constraint is not met");
            if (!required) {
                error.detail.put("constraint", constraintOf(ref));
            }
            throw error;
        }
        fec.finalizeFormEntry();  // postProcessInstance (end-of-form events) and the edit's ids
    }

    String constraintOf(TreeReference ref) {
        TreeElement element = fec.getModel().getForm().getMainInstance().resolveReference(ref);
        Constraint constraint = element == null ? null : element.getConstraint();
        if (constraint == null || constraint.constraint == null) {
            return null;
        }
        return constraint.constraint instanceof XPathConditional
                ? ((XPathConditional) constraint.constraint).xpath
                : constraint.constraint.toString();
    }

    /**
     * The answer for a question (or the list of a repeat, when `repeat`): an absolute path key,
     * or the question's name in the object of the repeat instance it is in (groups are looked
     * through: only repeats nest in the answers).
     */
    JsonNode answersFor(TreeReference ref, boolean repeat) {
        JsonNode byPath = answers.get(ref.genericize().toString(false));
        if (byPath != null) {
            return byPath;
        }
        JsonNode scope = answers;
        for (int level = 1; level < ref.size() - 1; level++) {
            JsonNode inner = scope.get(ref.getName(level));
            if (inner == null) {
                continue;  // a group
            }
            if (!inner.isArray()) {
                return null;
            }
            int multiplicity = ref.getMultiplicity(level);
            if (multiplicity < 0 || multiplicity >= inner.size()) {
                return null;  // a repeat instance the answers say nothing about
            }
            scope = inner.get(multiplicity);
        }
        return scope.get(ref.getNameLast());
    }

    IAnswerData answer(FormEntryPrompt prompt, TreeReference ref, JsonNode value) throws EntryError {
        if (value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            return null;
        }
        List<SelectChoice> offered = prompt.getSelectChoices();
        if (offered != null) {
            List<Selection> picked = new ArrayList<>();
            Iterator<JsonNode> values = value.isArray() ? value.elements() : List.of(value).iterator();
            while (values.hasNext()) {
                String wanted = values.next().asText();
                SelectChoice found = null;
                for (SelectChoice choice : offered) {
                    if (choice.getValue().equals(wanted)) {
                        found = choice;
                    }
                }
                if (found == null) {
                    EntryError error = new EntryError(ref.toString(false), "choice", "not among the choices offered");
                    error.detail.put("value", wanted);
                    ArrayNode offeredValues = error.detail.putArray("offered");
                    offered.forEach(choice -> offeredValues.add(choice.getValue()));
                    throw error;
                }
                picked.add(found.selection());
            }
            boolean multiple = prompt.getDataType() == Constants.DATATYPE_CHOICE_LIST;
            return multiple ? new SelectMultiData(picked) : new SelectOneData(picked.get(0));
        }
        String text = value.isTextual() ? value.asText() : value.toString();
        try {
            return AnswerDataFactory.templateByDataType(prompt.getDataType()).cast(new UncastData(text));
        } catch (IllegalArgumentException bad) {
            EntryError error = new EntryError(ref.toString(false), "type", bad.toString());
            error.detail.put("value", text);
            throw error;
        }
    }
}
